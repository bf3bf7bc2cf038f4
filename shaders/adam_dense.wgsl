// adam_dense: AdamW on the dense parameters theta = [W1, b1, w2, b2]: lib/adamw.wgsl's update,
// with decoupled weight decay on W1 and w2 and none on the biases.
// One invocation per parameter, flat.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 grad    storage, read       f32 [count]: the gradient, same layout as theta.
//   2 theta   storage, read_write f32 [count]: W1 [0, w1_end), b1 [w1_end, b1_end),
//                                 w2 [b1_end, w2_end), b2 [w2_end].
//   3 m       storage, read_write f32 [count]: first moments.
//   4 v       storage, read_write f32 [count]: second moments.

// #include "lib/adamw.wgsl"

struct Params {
  count: u32,  // parameters
  w1_end: u32, // hidden * features
  b1_end: u32, // w1_end + hidden
  w2_end: u32, // b1_end + hidden
  adam: AdamW, // at byte 16
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat_index(wid, groups, lid);
  if (j >= params.count) { return; }
  let decays = j < params.w1_end || (j >= params.b1_end && j < params.w2_end);
  let decay = select(0.0, params.adam.weight_decay, decays);
  let u = adamw(params.adam, theta[j], grad[j], m[j], v[j], decay);
  m[j] = u.m;
  v[j] = u.v;
  theta[j] = u.w;
}

// adam_dense: AdamW on the dense parameters theta = [W1, b1, w2, b2] (decoupled weight decay on
// W1 and w2, none on the biases):
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// theta -= lr ((m / c1) / (sqrt(v / c2) + eps) + decay theta), c1 = 1 - b1^t, c2 = 1 - b2^t.
// One invocation per parameter, flat.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 grad    storage, read       f32 [count]: the gradient, same layout as theta.
//   2 theta   storage, read_write f32 [count]: W1 [0, w1_end), b1 [w1_end, b1_end),
//                                 w2 [b1_end, w2_end), b2 [w2_end].
//   3 m       storage, read_write f32 [count]: first moments.
//   4 v       storage, read_write f32 [count]: second moments.

struct Params {
  count: u32,  // parameters
  w1_end: u32, // hidden * features
  b1_end: u32, // w1_end + hidden
  w2_end: u32, // b1_end + hidden
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  c1: f32,     // 1 - beta1^t
  c2: f32,     // 1 - beta2^t
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = (wid.y * groups.x + wid.x) * WG + lid;
  if (j >= params.count) { return; }
  let g = grad[j];
  let mt = params.beta1 * m[j] + (1.0 - params.beta1) * g;
  let vt = params.beta2 * v[j] + (1.0 - params.beta2) * g * g;
  m[j] = mt;
  v[j] = vt;
  let decays = j < params.w1_end || (j >= params.b1_end && j < params.w2_end);
  let w = theta[j];
  let decay = select(0.0, params.weight_decay, decays);
  theta[j] = w - params.lr * ((mt / params.c1) / (sqrt(vt / params.c2) + params.eps) + decay * w);
}

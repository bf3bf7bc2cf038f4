// mlp_output: the reward of every row, r = w2 . act(z) + b2, act = GELU (tanh approximation) or
// ReLU. One invocation per row, summing over the hidden units in order (deterministic).
//
// Bindings:
//   0 params   uniform             Params below.
//   1 z        storage, read       f32 [rows, hidden]: mlp_hidden's pre-activations.
//   2 theta    storage, read       f32 [hidden * features + 2 hidden + 1]: W1, b1, w2, b2.
//   3 rewards  storage, read_write f32 [out_base + rows]: r of row j at rewards[out_base + j]
//                                  (row 2 i + s: slot i, side s = 0 for response a, 1 for b).

struct Params {
  rows: u32,       // rows to score
  hidden: u32,     // hidden units
  features: u32,   // MLP input width
  activation: u32, // 0: GELU (tanh), 1: ReLU
  out_base: u32,   // first output element
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> rewards: array<f32>;

// #include "lib/flat.wgsl"
// #include "lib/activation.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = flat_index(wid, groups, lid);
  if (row >= params.rows) { return; }
  let hidden = params.hidden;
  let w2 = hidden * params.features + hidden;
  let relu = params.activation == 1u;
  var r = 0.0;
  for (var h = 0u; h < hidden; h++) {
    r += theta[w2 + h] * act(z[row * hidden + h], relu);
  }
  rewards[params.out_base + row] = r + theta[w2 + hidden];
}

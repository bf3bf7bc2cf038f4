// mlp_hidden: the MLP's pre-activations z = W1 x + b1 for both rows of every pair slot i (row
// 2 i + s, s = 0 for response a, 1 for b), with x = [p, q_s, p * q_s, log1p(count_p),
// log1p(count_s)] (the last two only with dense features) read from the pooled vectors. One
// invocation per (slot i, hidden unit h), flat, computing both rows: each weight and each pooled
// value is loaded once for two outputs. No workgroup memory or barriers (they are slow on software
// adapters); each output is summed in a fixed order (deterministic).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 pooled  storage, read       f32 [n, stride]: embedding_bag's output
//                                 [p (dim), a (dim), b (dim), count_p, count_a, count_b].
//   2 theta   storage, read       f32 [hidden * features + 2 hidden + 1]: W1 [hidden, features]
//                                 row-major, then b1 [hidden], w2 [hidden], b2.
//   3 z       storage, read_write f32 [2 n, hidden]: pre-activations.

struct Params {
  n: u32,        // pair slots (rows / 2)
  dim: u32,      // embedding width
  hidden: u32,   // hidden units
  features: u32, // 3 dim (+ 2 with dense features)
  stride: u32,   // floats per slot in `pooled`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let hidden = params.hidden;
  if (flat >= params.n * hidden) { return; }
  let i = flat / hidden;
  let h = flat % hidden;
  let dim = params.dim;
  let base = i * params.stride;
  let w = h * params.features;
  var za = 0.0;
  var zb = 0.0;
  for (var d = 0u; d < dim; d++) {
    let p = pooled[base + d];
    let qa = pooled[base + dim + d];
    let qb = pooled[base + 2u * dim + d];
    let wp = theta[w + d];
    let wq = theta[w + dim + d];
    let wpq = theta[w + 2u * dim + d];
    za += wp * p + wq * qa + wpq * (p * qa);
    zb += wp * p + wq * qb + wpq * (p * qb);
  }
  if (params.features > 3u * dim) {
    let counts = base + 3u * dim;
    let lp = theta[w + 3u * dim] * log(1.0 + pooled[counts]);
    let wn = theta[w + 3u * dim + 1u];
    za += lp + wn * log(1.0 + pooled[counts + 1u]);
    zb += lp + wn * log(1.0 + pooled[counts + 2u]);
  }
  let b1 = theta[hidden * params.features + h];
  z[2u * i * hidden + h] = za + b1;
  z[(2u * i + 1u) * hidden + h] = zb + b1;
}

// weight_grad: the gradient of W1, dL/dW1[h, f] = sum over rows of g_z[row, h] x[row, f], with x
// read from the pooled vectors as in mlp_hidden. One invocation per (unit h, column group j),
// flat: group j < dim owns the columns j, dim + j and 2 dim + j (p, q and p * q of element j);
// with dense features, group dim owns the two log1p(count) columns. Each invocation walks the
// pairs in order, response a then b, like the reference (deterministic, no atomics, no barriers).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 pooled  storage, read       f32 [n, stride]: embedding_bag's output.
//   2 gz      storage, read       f32 [2 n, hidden]: loss_grad's dL/dz.
//   3 grad    storage, read_write f32 [hidden * features + ...]: W1's gradient at [0, hidden * features).

struct Params {
  n: u32,        // pairs (rows / 2)
  dim: u32,      // embedding width
  hidden: u32,   // hidden units
  features: u32, // MLP input width
  stride: u32,   // floats per slot in `pooled`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> gz: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let dim = params.dim;
  let hidden = params.hidden;
  let dense = select(0u, 1u, params.features > 3u * dim);
  let cols = dim + dense;
  if (flat >= hidden * cols) { return; }
  let h = flat / cols;
  let j = flat % cols;
  let stride = params.stride;
  let out = h * params.features;
  if (j < dim) {
    var gp = 0.0;
    var gq = 0.0;
    var gpq = 0.0;
    for (var i = 0u; i < params.n; i++) {
      let base = i * stride;
      let p = pooled[base + j];
      let ga = gz[2u * i * hidden + h];
      let gb = gz[(2u * i + 1u) * hidden + h];
      let qa = pooled[base + dim + j];
      let qb = pooled[base + 2u * dim + j];
      gp += ga * p;
      gq += ga * qa;
      gpq += ga * (p * qa);
      gp += gb * p;
      gq += gb * qb;
      gpq += gb * (p * qb);
    }
    grad[out + j] = gp;
    grad[out + dim + j] = gq;
    grad[out + 2u * dim + j] = gpq;
  } else {
    var gnp = 0.0;
    var gnq = 0.0;
    for (var i = 0u; i < params.n; i++) {
      let counts = i * stride + 3u * dim;
      let lp = log(1.0 + pooled[counts]);
      let ga = gz[2u * i * hidden + h];
      let gb = gz[(2u * i + 1u) * hidden + h];
      gnp += ga * lp;
      gnq += ga * log(1.0 + pooled[counts + 1u]);
      gnp += gb * lp;
      gnq += gb * log(1.0 + pooled[counts + 2u]);
    }
    grad[out + 3u * dim] = gnp;
    grad[out + 3u * dim + 1u] = gnq;
  }
}

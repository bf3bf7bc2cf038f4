// pooled_grad: the gradient reaching each token of each bag. With g_x = W1^T g_z for rows a = 2 i
// and b = 2 i + 1 and x = [p, q, p * q, ...]:
// dL/dp = g_xa[p] + g_xa[pq] q_a + g_xb[p] + g_xb[pq] q_b, dL/dq_a = g_xa[q] + g_xa[pq] p (same for
// b), each times the bag's pooling scale (1 / max(n, 1) or 1 / sqrt(max(n, 1))): every token of
// the bag receives that gradient. One invocation per (slot i, element d), flat, summing the
// hidden units in order (deterministic).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 pooled  storage, read       f32 [n, stride]: embedding_bag's output (vectors and counts).
//   2 gz      storage, read       f32 [2 n, hidden]: loss_grad's dL/dz.
//   3 theta   storage, read       f32 [hidden * features + ...]: W1 [hidden, features] first.
//   4 gtok    storage, read_write f32 [3 n, dim]: per-token gradient of bag k of slot i at row 3 i + k.

struct Params {
  n: u32,        // pairs
  dim: u32,      // embedding width
  hidden: u32,   // hidden units
  features: u32, // MLP input width
  stride: u32,   // floats per slot in `pooled`
  pooling: u32,  // 0: mean, 1: sqrtn
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> gz: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read_write> gtok: array<f32>;

// #include "lib/flat.wgsl"

fn scale(count: f32) -> f32 {
  let c = max(count, 1.0);
  return select(1.0 / sqrt(c), 1.0 / c, params.pooling == 0u);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let dim = params.dim;
  if (flat >= params.n * dim) { return; }
  let i = flat / dim;
  let d = flat % dim;
  let hidden = params.hidden;
  let features = params.features;
  var a_p = 0.0;
  var a_q = 0.0;
  var a_pq = 0.0;
  var b_p = 0.0;
  var b_q = 0.0;
  var b_pq = 0.0;
  let ra = 2u * i * hidden;
  for (var h = 0u; h < hidden; h++) {
    let w = h * features + d;
    let w_p = theta[w];
    let w_q = theta[w + dim];
    let w_pq = theta[w + 2u * dim];
    let ga = gz[ra + h];
    let gb = gz[ra + hidden + h];
    a_p += ga * w_p;
    a_q += ga * w_q;
    a_pq += ga * w_pq;
    b_p += gb * w_p;
    b_q += gb * w_q;
    b_pq += gb * w_pq;
  }
  let base = i * params.stride;
  let p = pooled[base + d];
  let qa = pooled[base + dim + d];
  let qb = pooled[base + 2u * dim + d];
  let counts = base + 3u * dim;
  let out = 3u * i * dim + d;
  gtok[out] = (a_p + a_pq * qa + b_p + b_pq * qb) * scale(pooled[counts]);
  gtok[out + dim] = (a_q + a_pq * p) * scale(pooled[counts + 1u]);
  gtok[out + 2u * dim] = (b_q + b_pq * p) * scale(pooled[counts + 2u]);
}

// mlp_forward: the MLP of both rows (row 2 i + s: response a for s = 0, b for s = 1) of TS = 8
// pair slots per workgroup, as a tiled GEMM with the output layer fused:
// z = W1 x + b1 (written out for the backward pass) and r = w2 . act(z) + b2, with
// x = [p, q_s, p * q_s, log1p(count_p), log1p(count_s)] (the last two only with dense features).
// Per tile of TK = 8 embedding elements the workgroup stages the slots' p, q_a, q_b, p * q_a and
// p * q_b, and the W1 columns [p | q | pq] of the tile for its 64 hidden units, in workgroup
// memory (consecutive invocations load consecutive floats); each invocation (one hidden unit)
// then accumulates its 16 outputs from workgroup memory, reading each weight once for 16 rows.
// The hidden units are walked in tiles of 64; each row's w2 act(z) terms are summed in unit order
// (one invocation per row), so z and r are summed in the orders of the unfused kernels
// (deterministic, no atomics).
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pooled   storage, read       f32 [n, stride]: embedding_bag's output
//                                  [p (dim), a (dim), b (dim), count_p, count_a, count_b].
//   2 theta    storage, read       f32 [hidden * features + 2 hidden + 1]: W1 [hidden, features]
//                                  row-major, then b1 [hidden], w2 [hidden], b2.
//   3 z        storage, read_write f32 [2 n, hidden]: pre-activations.
//   4 rewards  storage, read_write f32 [out_base + 2 n]: r of row j at rewards[out_base + j].
// Dispatch: ceil(n / 8) workgroups (folded into 2-D when needed).

struct Params {
  n: u32,          // pair slots (rows / 2)
  dim: u32,        // embedding width
  hidden: u32,     // hidden units
  features: u32,   // 3 dim (+ 2 with dense features)
  stride: u32,     // floats per slot in `pooled`
  activation: u32, // 0: GELU (tanh), 1: ReLU
  out_base: u32,   // first output element of `rewards`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> rewards: array<f32>;

// #include "lib/activation.wgsl"

const WG: u32 = 64u; // invocations = hidden units per tile
const TS: u32 = 8u;  // pair slots per workgroup (16 rows)
const TK: u32 = 8u;  // embedding elements per K tile
const ROWS: u32 = 16u;

// [p, q_a, q_b, p q_a, p q_b][slot][k]
var<workgroup> xs: array<f32, 320>;
// [unit][p | q | pq][k]
var<workgroup> ws: array<f32, 1536>;
// [row][unit]: w2[h] act(z[row, h]) of the current unit tile
var<workgroup> red: array<f32, 1024>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let n = params.n;
  let dim = params.dim;
  let hidden = params.hidden;
  let features = params.features;
  let relu = params.activation == 1u;
  let slot0 = (wid.y * groups.x + wid.x) * TS;
  let w2 = hidden * features + hidden;
  var racc = 0.0; // invocation lid < 16: the reward of row lid
  for (var h0 = 0u; h0 < hidden; h0 += WG) {
    let h = h0 + lid;
    let unit = h < hidden;
    var za: array<f32, 8>;
    var zb: array<f32, 8>;
    for (var s = 0u; s < TS; s++) {
      za[s] = 0.0;
      zb[s] = 0.0;
    }
    for (var d0 = 0u; d0 < dim; d0 += TK) {
      for (var e = lid; e < TS * TK; e += WG) {
        let s = e / TK;
        let d = d0 + e % TK;
        var p = 0.0;
        var qa = 0.0;
        var qb = 0.0;
        if (slot0 + s < n && d < dim) {
          let base = (slot0 + s) * params.stride;
          p = pooled[base + d];
          qa = pooled[base + dim + d];
          qb = pooled[base + 2u * dim + d];
        }
        xs[e] = p;
        xs[64u + e] = qa;
        xs[128u + e] = qb;
        xs[192u + e] = p * qa;
        xs[256u + e] = p * qb;
      }
      for (var e = lid; e < WG * 3u * TK; e += WG) {
        let u = e / (3u * TK);
        let part = (e / TK) % 3u;
        let d = d0 + e % TK;
        var w = 0.0;
        if (h0 + u < hidden && d < dim) {
          w = theta[(h0 + u) * features + part * dim + d];
        }
        ws[e] = w;
      }
      workgroupBarrier();
      let kn = min(TK, dim - d0);
      for (var k = 0u; k < kn; k++) {
        let wp = ws[lid * 3u * TK + k];
        let wq = ws[lid * 3u * TK + TK + k];
        let wpq = ws[lid * 3u * TK + 2u * TK + k];
        for (var s = 0u; s < TS; s++) {
          let x = s * TK + k;
          za[s] += wp * xs[x] + wq * xs[64u + x] + wpq * xs[192u + x];
          zb[s] += wp * xs[x] + wq * xs[128u + x] + wpq * xs[256u + x];
        }
      }
      workgroupBarrier();
    }
    var b1 = 0.0;
    var w2h = 0.0;
    if (unit) {
      b1 = theta[hidden * features + h];
      w2h = theta[w2 + h];
    }
    for (var s = 0u; s < TS; s++) {
      let slot = slot0 + s;
      var a = 0.0;
      var b = 0.0;
      if (unit && slot < n) {
        a = za[s];
        b = zb[s];
        if (features > 3u * dim) {
          let counts = slot * params.stride + 3u * dim;
          let lp = theta[h * features + 3u * dim] * log(1.0 + pooled[counts]);
          let wn = theta[h * features + 3u * dim + 1u];
          a += lp + wn * log(1.0 + pooled[counts + 1u]);
          b += lp + wn * log(1.0 + pooled[counts + 2u]);
        }
        a += b1;
        b += b1;
        z[2u * slot * hidden + h] = a;
        z[(2u * slot + 1u) * hidden + h] = b;
      }
      red[(2u * s) * WG + lid] = select(0.0, w2h * act(a, relu), unit && slot < n);
      red[(2u * s + 1u) * WG + lid] = select(0.0, w2h * act(b, relu), unit && slot < n);
    }
    workgroupBarrier();
    if (lid < ROWS) {
      let un = min(WG, hidden - h0);
      for (var u = 0u; u < un; u++) {
        racc += red[lid * WG + u];
      }
    }
    workgroupBarrier();
  }
  if (lid < ROWS && slot0 + lid / 2u < n) {
    rewards[params.out_base + 2u * slot0 + lid] = racc + theta[w2 + hidden];
  }
}

// weight_grad: the whole dense gradient as a split-K tiled GEMM, first pass. For pair chunk c
// (`chunk` pairs, normally 64: the K dimension split), unit tile (8 hidden units) and column tile (8 embedding
// elements), each invocation (unit h, element j) sums over the chunk's rows, response a then b of
// each pair in order:
//   dW1[h, j], dW1[h, dim + j], dW1[h, 2 dim + j] = sum g_z[row, h] (p[j], q[j], p[j] q[j]),
// and element j = dim (dense features only) the log1p(count) columns 3 dim and 3 dim + 1.
// The invocations of element 0 also sum what output_grad did: dL/db1[h] = sum g_z[row, h],
// dL/dw2[h] = sum g_r[row] act(z[row, h]), and unit 0 dL/db2 = sum g_r (exactly 0: a and b of a
// pair cancel). Each sub-tile of 16 pairs stages g_z [32 rows x 8 units] and the pairs' p, q_a,
// q_b [16 x 3 x 8] (or their log1p(count)) in workgroup memory. The chunk's sums go to
// `partial` row c (theta's layout); grad_reduce adds the rows in chunk order (deterministic, no
// atomics).
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pooled   storage, read       f32 [n, stride]: embedding_bag's output.
//   2 gz       storage, read       f32 [2 n, hidden]: loss_grad's dL/dz.
//   3 z        storage, read       f32 [2 n, hidden]: pre-activations.
//   4 gr       storage, read       f32 [2 n]: dL/dr.
//   5 partial  storage, read_write f32 [chunks, count]: chunk c's gradient at row c, laid out as
//                                  theta = [W1 (hidden x features), b1, w2, b2].
// Dispatch: (column tiles x unit tiles, chunks) workgroups.

struct Params {
  n: u32,          // pairs (rows / 2)
  dim: u32,        // embedding width
  hidden: u32,     // hidden units
  features: u32,   // MLP input width
  stride: u32,     // floats per slot in `pooled`
  activation: u32, // 0: GELU (tanh), 1: ReLU
  col_tiles: u32,  // ceil((dim + dense) / 8)
  count: u32,      // parameters (a row of `partial`)
  chunk: u32,      // pairs per chunk (KC, a multiple of 16)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pooled: array<f32>;
@group(0) @binding(2) var<storage, read> gz: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read> gr: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;

// #include "lib/activation.wgsl"

const WG: u32 = 64u;
const TU: u32 = 8u;  // units per tile
const TJ: u32 = 8u;  // elements per tile
const KS: u32 = 16u; // pairs per staged sub-tile

// g_z [2 KS rows][TU units]
var<workgroup> gzs: array<f32, 256>;
// [p, q_a, q_b][KS pairs][TJ elements]
var<workgroup> xs: array<f32, 384>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let dim = params.dim;
  let hidden = params.hidden;
  let features = params.features;
  let relu = params.activation == 1u;
  let cols = dim + select(0u, 1u, features > 3u * dim);
  let jt = wid.x % params.col_tiles;
  let ht = wid.x / params.col_tiles;
  let c = wid.y;
  let tj = lid % TJ;
  let tu = lid / TJ;
  let j = jt * TJ + tj;
  let h = ht * TU + tu;
  let mine = j < cols && h < hidden;
  let first = c * params.chunk;
  let last = min(n, first + params.chunk);
  var gp = 0.0;
  var gq = 0.0;
  var gpq = 0.0;
  var sb = 0.0; // dL/db1[h] (element 0 only)
  var sw = 0.0; // dL/dw2[h] (element 0 only)
  var s2 = 0.0; // dL/db2 (unit 0, element 0)
  for (var i0 = first; i0 < last; i0 += KS) {
    let kn = min(KS, last - i0);
    for (var e = lid; e < 2u * KS * TU; e += WG) {
      let r = e / TU;
      let u = ht * TU + e % TU;
      var g = 0.0;
      if (r < 2u * kn && u < hidden) { g = gz[(2u * i0 + r) * hidden + u]; }
      gzs[e] = g;
    }
    for (var e = lid; e < KS * TJ; e += WG) {
      let i = i0 + e / TJ;
      let jj = jt * TJ + e % TJ;
      var p = 0.0;
      var qa = 0.0;
      var qb = 0.0;
      if (e / TJ < kn) {
        let base = i * params.stride;
        if (jj < dim) {
          p = pooled[base + jj];
          qa = pooled[base + dim + jj];
          qb = pooled[base + 2u * dim + jj];
        } else if (jj == dim && cols > dim) {
          let counts = base + 3u * dim;
          p = log(1.0 + pooled[counts]);
          qa = log(1.0 + pooled[counts + 1u]);
          qb = log(1.0 + pooled[counts + 2u]);
        }
      }
      xs[e] = p;
      xs[128u + e] = qa;
      xs[256u + e] = qb;
    }
    workgroupBarrier();
    for (var k = 0u; k < kn; k++) {
      let ga = gzs[2u * k * TU + tu];
      let gb = gzs[(2u * k + 1u) * TU + tu];
      let p = xs[k * TJ + tj];
      let qa = xs[128u + k * TJ + tj];
      let qb = xs[256u + k * TJ + tj];
      gp += ga * p;
      gq += ga * qa;
      gpq += ga * (p * qa);
      gp += gb * p;
      gq += gb * qb;
      gpq += gb * (p * qb);
    }
    if (j == 0u && h < hidden) {
      for (var k = 0u; k < kn; k++) {
        let r = 2u * (i0 + k);
        sb += gz[r * hidden + h];
        sw += gr[r] * act(z[r * hidden + h], relu);
        sb += gz[(r + 1u) * hidden + h];
        sw += gr[r + 1u] * act(z[(r + 1u) * hidden + h], relu);
        if (h == 0u) {
          s2 += gr[r];
          s2 += gr[r + 1u];
        }
      }
    }
    workgroupBarrier();
  }
  let row = c * params.count;
  let out = row + h * features;
  if (mine && j < dim) {
    partial[out + j] = gp;
    partial[out + dim + j] = gq;
    partial[out + 2u * dim + j] = gpq;
  } else if (mine) {
    partial[out + 3u * dim] = gp;
    partial[out + 3u * dim + 1u] = gq;
  }
  if (j == 0u && h < hidden) {
    let b = row + hidden * features;
    partial[b + h] = sb;
    partial[b + hidden + h] = sw;
    if (h == 0u) { partial[b + 2u * hidden] = s2; }
  }
}

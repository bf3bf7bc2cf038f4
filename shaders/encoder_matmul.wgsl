// encoder_matmul: a PyTorch Linear over token rows, y = x W^T + b, then GELU when params.act = 1.
// Tiled: a workgroup of 16 x 16 invocations computes a 64 x 64 block of y, each invocation a 4 x 4
// sub-block (rows ty + 16 i, columns tx + 16 j); x and W are staged through workgroup memory 16
// columns of K at a time. Sizes need not be multiples of the tile (loads outside are zeros, stores
// outside are skipped). Weights are f32, or f16 packed two per u32 (params.w_f16 = 1; element k of
// a row sits in the low half of word k / 2 when k is even), unpacked with unpack2x16float, so f16
// weights need no shader-f16 feature; arithmetic is f32. Each output sums K in a fixed order.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 x       storage, read       f32 [m, k] row-major: input rows (tokens).
//   2 w       storage, read       u32 [n, k] row-major: weights as f32 bits, or [n, k / 2] packed
//                                 f16 pairs.
//   3 bias    storage, read       f32 [n].
//   4 y       storage, read_write f32 [m, n] row-major: output rows.

struct Params {
  m: u32,     // rows of x and y
  n: u32,     // output features (rows of w)
  k: u32,     // input features (even when w_f16 = 1)
  act: u32,   // 0: none, 1: GELU (exact erf form)
  w_f16: u32, // 1: w holds packed f16 pairs
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

const TILE: u32 = 64u;
const TK: u32 = 16u;

var<workgroup> xs: array<array<f32, 64>, 16>; // [k][row]
var<workgroup> ws: array<array<f32, 64>, 16>; // [k][col]

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
fn erf_approx(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - poly * exp(-a * a));
}

fn weight(row: u32, col: u32) -> f32 {
  let idx = row * params.k + col;
  if (params.w_f16 == 1u) {
    let pair = unpack2x16float(w[idx >> 1u]);
    return select(pair.x, pair.y, (idx & 1u) == 1u);
  }
  return bitcast<f32>(w[idx]);
}

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let tx = lid.x;
  let ty = lid.y;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < params.k; k0 += TK) {
    // 256 invocations stage 64 x 16 values of x and of w: 4 each.
    for (var e = 0u; e < 4u; e++) {
      let flat = li + e * 256u;
      let r = flat / TK;
      let kk = flat % TK;
      let gk = k0 + kk;
      var xv = 0.0;
      if (row0 + r < params.m && gk < params.k) { xv = x[(row0 + r) * params.k + gk]; }
      xs[kk][r] = xv;
      var wv = 0.0;
      if (col0 + r < params.n && gk < params.k) { wv = weight(col0 + r, gk); }
      ws[kk][r] = wv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var xr: array<f32, 4>;
      var wc: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        xr[i] = xs[kk][ty + 16u * i];
        wc[i] = ws[kk][tx + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] = fma(xr[i], wc[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + ty + 16u * i;
    if (r >= params.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + tx + 16u * j;
      if (c >= params.n) { continue; }
      var v = acc[i][j] + bias[c];
      if (params.act == 1u) { v = 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752)); }
      y[r * params.n + c] = v;
    }
  }
}

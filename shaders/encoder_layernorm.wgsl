// encoder_layernorm: y = LayerNorm(x + res) * gamma + beta per row (BERT's post-LayerNorm with its
// residual; res is skipped when params.has_res = 0). One workgroup of 64 invocations per row: the
// mean and then the biased variance are reduced in workgroup memory in a fixed order.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 x       storage, read       f32 [rows, h]: the sublayer's output.
//   2 res     storage, read       f32 [rows, h]: the residual (any buffer when has_res = 0).
//   3 ln      storage, read       f32 [2 h]: gamma then beta.
//   4 y       storage, read_write f32 [rows, h].

struct Params {
  rows: u32,
  h: u32,
  has_res: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> res: array<f32>;
@group(0) @binding(3) var<storage, read> ln: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// #include "lib/row_sum.wgsl"

fn value(base: u32, d: u32) -> f32 {
  var v = x[base + d];
  if (params.has_res == 1u) { v += res[base + d]; }
  return v;
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * groups.x + wid.x;
  if (row >= params.rows) { return; }
  let h = params.h;
  let base = row * h;
  var s = 0.0;
  for (var d = lid; d < h; d += 64u) { s += value(base, d); }
  let mean = reduce(lid, s) / f32(h);
  var q = 0.0;
  for (var d = lid; d < h; d += 64u) {
    let c = value(base, d) - mean;
    q += c * c;
  }
  let inv = inverseSqrt(reduce(lid, q) / f32(h) + params.eps);
  for (var d = lid; d < h; d += 64u) {
    y[base + d] = (value(base, d) - mean) * inv * ln[d] + ln[h + d];
  }
}

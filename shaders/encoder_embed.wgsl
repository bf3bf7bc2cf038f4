// encoder_embed: the embedding layer of a padded batch, LayerNorm(word[id] + position[t] +
// token_type[0]) * gamma + beta for token t of each sequence (row b * len + t). One workgroup of 64
// invocations per token row. Embedding tables are f32, or f16 packed two per u32 (params.f16 = 1).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 ids     storage, read       u32 [rows]: token ids, row b * len + t (padding rows hold 0).
//   2 word    storage, read       u32 [vocab, h]: f32 bits, or packed f16 pairs.
//   3 pos     storage, read       u32 [positions, h] (same encoding).
//   4 ttype   storage, read       u32 [types, h] (same encoding; row 0 is used).
//   5 ln      storage, read       f32 [2 h]: gamma then beta.
//   6 y       storage, read_write f32 [rows, h].

struct Params {
  rows: u32,
  h: u32,
  len: u32,  // padded sequence length
  f16: u32,  // 1: tables hold packed f16 pairs
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> word: array<u32>;
@group(0) @binding(3) var<storage, read> pos: array<u32>;
@group(0) @binding(4) var<storage, read> ttype: array<u32>;
@group(0) @binding(5) var<storage, read> ln: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;

// #include "lib/row_sum.wgsl"

fn word_at(idx: u32) -> f32 {
  if (params.f16 == 1u) {
    let p = unpack2x16float(word[idx >> 1u]);
    return select(p.x, p.y, (idx & 1u) == 1u);
  }
  return bitcast<f32>(word[idx]);
}

fn pos_at(idx: u32) -> f32 {
  if (params.f16 == 1u) {
    let p = unpack2x16float(pos[idx >> 1u]);
    return select(p.x, p.y, (idx & 1u) == 1u);
  }
  return bitcast<f32>(pos[idx]);
}

fn type_at(idx: u32) -> f32 {
  if (params.f16 == 1u) {
    let p = unpack2x16float(ttype[idx >> 1u]);
    return select(p.x, p.y, (idx & 1u) == 1u);
  }
  return bitcast<f32>(ttype[idx]);
}

fn value(row: u32, d: u32) -> f32 {
  let h = params.h;
  let t = row % params.len;
  return word_at(ids[row] * h + d) + pos_at(t * h + d) + type_at(d);
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
  var s = 0.0;
  for (var d = lid; d < h; d += 64u) { s += value(row, d); }
  let mean = reduce(lid, s) / f32(h);
  var q = 0.0;
  for (var d = lid; d < h; d += 64u) {
    let c = value(row, d) - mean;
    q += c * c;
  }
  let inv = inverseSqrt(reduce(lid, q) / f32(h) + params.eps);
  for (var d = lid; d < h; d += 64u) {
    y[row * h + d] = (value(row, d) - mean) * inv * ln[d] + ln[h + d];
  }
}

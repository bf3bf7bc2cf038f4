// encoder_pool: one vector per sequence from its last hidden states: the mean over its first
// lens[b] tokens (params.cls = 0) or its first token ([CLS], params.cls = 1), then divided by its
// L2 norm when params.normalize = 1. One workgroup of 64 invocations per sequence.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 hidden  storage, read       f32 [batch * len, h]: row b * len + t.
//   2 lens    storage, read       u32 [batch].
//   3 out     storage, read_write f32 [rows, h]: sequence b goes to row params.out_row + b.

struct Params {
  batch: u32,
  h: u32,
  len: u32,
  cls: u32,
  normalize: u32,
  out_row: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hidden: array<f32>;
@group(0) @binding(2) var<storage, read> lens: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  if (b >= params.batch) { return; }
  let h = params.h;
  let n = select(lens[b], 1u, params.cls == 1u);
  let first = b * params.len;
  let o = (params.out_row + b) * h;
  var sq = 0.0;
  for (var d = lid; d < h; d += 64u) {
    var s = 0.0;
    for (var t = 0u; t < n; t++) { s += hidden[(first + t) * h + d]; }
    let v = s / f32(n);
    out[o + d] = v;
    sq = fma(v, v, sq);
  }
  red[lid] = sq;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (params.normalize == 1u) {
    let inv = 1.0 / max(sqrt(red[0]), 1e-12);
    for (var d = lid; d < h; d += 64u) { out[o + d] *= inv; }
  }
}

// encoder_attention: masked multi-head self-attention of a padded batch. One workgroup of 64
// invocations per (token row, head): scores of the query against the sequence's first lens[b]
// keys (the rest are padding and get no weight), softmax (max-subtracted), then the weighted sum
// of the values. Sequences are at most 512 tokens and heads at most 128 wide.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 qkv     storage, read       f32 [rows, 3 h]: queries, keys, values; head j at columns
//                                 j dh .. (j + 1) dh of each third. Row b * len + t.
//   2 lens    storage, read       u32 [batch]: real tokens of each sequence.
//   3 ctx     storage, read_write f32 [rows, h]: the attention output, heads side by side.

struct Params {
  rows: u32,
  h: u32,
  len: u32, // padded sequence length
  dh: u32,  // head width
  scale: f32, // 1 / sqrt(dh)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read> lens: array<u32>;
@group(0) @binding(3) var<storage, read_write> ctx: array<f32>;

var<workgroup> q: array<f32, 128>;
var<workgroup> p: array<f32, 512>;
var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x;
  let head = wid.y;
  if (row >= params.rows) { return; }
  let h = params.h;
  let dh = params.dh;
  let w = 3u * h;
  let b = row / params.len;
  let n = lens[b];
  let first = b * params.len;
  let qo = row * w + head * dh;
  for (var d = lid; d < dh; d += 64u) { q[d] = qkv[qo + d]; }
  workgroupBarrier();
  var m = -3.4e38;
  for (var j = lid; j < n; j += 64u) {
    let ko = (first + j) * w + h + head * dh;
    var s = 0.0;
    for (var d = 0u; d < dh; d++) { s = fma(q[d], qkv[ko + d], s); }
    s *= params.scale;
    p[j] = s;
    m = max(m, s);
  }
  red[lid] = m;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();
  var z = 0.0;
  for (var j = lid; j < n; j += 64u) {
    let e = exp(p[j] - mx);
    p[j] = e;
    z += e;
  }
  red[lid] = z;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];
  for (var d = lid; d < dh; d += 64u) {
    var acc = 0.0;
    for (var j = 0u; j < n; j++) { acc = fma(p[j], qkv[(first + j) * w + 2u * h + head * dh + d], acc); }
    ctx[row * h + head * dh + d] = acc * inv;
  }
}

// radix_scatter: the scatter of one pass of the stable LSD radix sort (see radix_count.wgsl).
// Each key goes to its (digit, tile) offset from the scanned histogram, plus the number of keys
// with the same digit before it in the tile: each invocation counts its 4 keys' digits in 16
// lanes of 16 bits (8 words), a workgroup scan of those words gives the counts of the
// invocations before it. Stable (equal digits keep their order), so after all passes equal keys
// keep their input order and the values (bag slots) stay in slot order.
//
// Bindings:
//   0 params    uniform             Params below.
//   1 keys      storage, read       u32 [n]: keys in.
//   2 vals      storage, read       u32 [n]: values in.
//   3 data      storage, read       u32 [*]: the scanned histogram at [hist, hist + 16 tiles).
//   4 keys_out  storage, read_write u32 [n]: keys out.
//   5 vals_out  storage, read_write u32 [n]: values out.

struct Params {
  n: u32,     // keys
  shift: u32, // the digit's lowest bit
  tiles: u32, // ceil(n / TILE)
  hist: u32,  // first histogram entry
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read> vals: array<u32>;
@group(0) @binding(3) var<storage, read> data: array<u32>;
@group(0) @binding(4) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> vals_out: array<u32>;

const WG: u32 = 256u;
const PER: u32 = 4u;

var<workgroup> part: array<array<u32, 8>, 256>;

fn lane(words: array<u32, 8>, d: u32) -> u32 {
  return (words[d >> 1u] >> (16u * (d & 1u))) & 0xffffu;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = wid.y * groups.x + wid.x;
  if (tile >= params.tiles) { return; } // uniform per workgroup
  let first = tile * WG * PER + lid * PER;
  var mine = array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
  var rank: array<u32, 4>;
  var digit: array<u32, 4>;
  for (var j = 0u; j < PER; j++) {
    if (first + j < params.n) {
      let d = (keys[first + j] >> params.shift) & 15u;
      digit[j] = d;
      rank[j] = lane(mine, d);
      mine[d >> 1u] += 1u << (16u * (d & 1u));
    }
  }
  part[lid] = mine;
  workgroupBarrier();
  for (var off = 1u; off < WG; off <<= 1u) {
    // Explicit zeros: a declaration without initializer may be zeroed only once per call.
    var add = array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
    if (lid >= off) { add = part[lid - off]; }
    workgroupBarrier();
    for (var w = 0u; w < 8u; w++) { part[lid][w] += add[w]; }
    workgroupBarrier();
  }
  var before: array<u32, 8>;
  for (var w = 0u; w < 8u; w++) { before[w] = part[lid][w] - mine[w]; }
  for (var j = 0u; j < PER; j++) {
    if (first + j < params.n) {
      let d = digit[j];
      let at = data[params.hist + d * params.tiles + tile] + lane(before, d) + rank[j];
      keys_out[at] = keys[first + j];
      vals_out[at] = vals[first + j];
    }
  }
}

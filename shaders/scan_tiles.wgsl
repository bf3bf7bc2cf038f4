// scan_tiles: the first level of an exclusive prefix sum of u32 counts, in place. Each workgroup
// scans one tile of TILE = 4 * 256 consecutive entries of data[base, base + n) (4 per invocation,
// then a workgroup scan of the invocations' sums) and writes the tile's total to
// data[sums + tile]. When there is more than one tile, the host scans the totals the same way
// (recursively) and scan_add.wgsl adds them back. Integer sums: exact, in any order.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 data    storage, read_write u32 [*]: the counts at [base, base + n), the tile totals
//                                 at [sums, sums + tiles).

struct Params {
  n: u32,    // entries to scan
  base: u32, // first entry
  sums: u32, // where the tile totals go
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;

const WG: u32 = 256u;
const PER: u32 = 4u;

var<workgroup> part: array<u32, 256>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = wid.y * groups.x + wid.x;
  let tiles = (params.n + WG * PER - 1u) / (WG * PER);
  if (tile >= tiles) { return; } // uniform per workgroup
  let first = tile * WG * PER + lid * PER;
  var before: array<u32, 4>;
  var sum = 0u;
  for (var j = 0u; j < PER; j++) {
    before[j] = sum;
    if (first + j < params.n) { sum += data[params.base + first + j]; }
  }
  part[lid] = sum;
  workgroupBarrier();
  for (var off = 1u; off < WG; off <<= 1u) {
    var add = 0u;
    if (lid >= off) { add = part[lid - off]; }
    workgroupBarrier();
    part[lid] += add;
    workgroupBarrier();
  }
  let exclusive = part[lid] - sum;
  for (var j = 0u; j < PER; j++) {
    if (first + j < params.n) { data[params.base + first + j] = exclusive + before[j]; }
  }
  if (lid == WG - 1u) { data[params.sums + tile] = part[lid]; }
}

// scan_add: the last level of an exclusive prefix sum (see scan_tiles.wgsl): adds each tile's
// scanned offset data[sums + tile] to the tile's entries of data[base, base + n).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 data    storage, read_write u32 [*]: tile-scanned entries, and the scanned tile totals.

struct Params {
  n: u32,    // entries
  base: u32, // first entry
  sums: u32, // the scanned tile totals
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<u32>;

const WG: u32 = 256u;
const PER: u32 = 4u;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = wid.y * groups.x + wid.x;
  let first = tile * WG * PER + lid * PER;
  if (first >= params.n) { return; }
  let add = data[params.sums + tile];
  for (var j = 0u; j < PER; j++) {
    if (first + j < params.n) { data[params.base + first + j] += add; }
  }
}

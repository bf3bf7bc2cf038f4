// radix_count: the digit histogram of one pass of the stable LSD radix sort of u32 keys (4-bit
// digits, `(key >> shift) & 15`): per tile of TILE = 4 * 256 consecutive keys, the count of each
// digit, written digit-major (data[hist + digit * tiles + tile]) so that an exclusive scan of the
// histogram gives every (digit, tile) its first output position, in stable order. Integer
// workgroup atomics count (exact whatever the order; no float atomics).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 keys    storage, read       u32 [n]: the keys.
//   2 data    storage, read_write u32 [*]: the histogram at [hist, hist + 16 tiles).

struct Params {
  n: u32,     // keys
  shift: u32, // the digit's lowest bit
  tiles: u32, // ceil(n / TILE)
  hist: u32,  // first histogram entry
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> data: array<u32>;

const WG: u32 = 256u;
const PER: u32 = 4u;

var<workgroup> counts: array<atomic<u32>, 16>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = wid.y * groups.x + wid.x;
  if (tile >= params.tiles) { return; } // uniform per workgroup
  if (lid < 16u) { atomicStore(&counts[lid], 0u); }
  workgroupBarrier();
  let first = tile * WG * PER + lid * PER;
  for (var j = 0u; j < PER; j++) {
    if (first + j < params.n) {
      atomicAdd(&counts[(keys[first + j] >> params.shift) & 15u], 1u);
    }
  }
  workgroupBarrier();
  if (lid < 16u) { data[params.hist + lid * params.tiles + tile] = atomicLoad(&counts[lid]); }
}

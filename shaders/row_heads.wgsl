// row_heads: marks the first entry of each run of equal keys in the sorted (row, slot) list
// (1 at a touched row's first contribution, else 0) into the scan buffer, whose exclusive scan
// numbers the touched rows; clears the block list's [0, block_slots) entries for row_lists.wgsl.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 keys    storage, read       u32 [n]: sorted rows.
//   2 data    storage, read_write u32 [*]: the marks at [flags, flags + n).
//   3 blocks  storage, read_write u32 [block_slots, 2]: (first, end) per block slot.

struct Params {
  n: u32,           // token occurrences
  flags: u32,       // first entry written in `data`
  block_slots: u32, // block slots to clear
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> data: array<u32>;
@group(0) @binding(3) var<storage, read_write> blocks: array<u32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat_index(wid, groups, lid);
  if (j < params.block_slots) {
    blocks[2u * j] = 0u;
    blocks[2u * j + 1u] = 0u;
  }
  if (j >= params.n) { return; }
  data[params.flags + j] = select(0u, 1u, j == 0u || keys[j] != keys[j - 1u]);
}

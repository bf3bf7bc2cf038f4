// bag_lengths: the token count of every bag slot of a mini-batch (slot 3 i + k is bag k of the
// step's pair i: prompt, response a, response b), into the scan buffer, whose exclusive scan
// then gives each slot's first position in the step's (row, slot) key list (bag_keys.wgsl).
// Entries [0, block_slots) of `blocks` are cleared here too, for row_lists.wgsl.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pairs    storage, read       u32 [*]: pair index per example; the step's from pair_base.
//   2 offsets  storage, read       u32 [3, pairs_total + 1]: bag offsets into the loaded ids.
//   3 data     storage, read_write u32 [*]: the lengths at [lengths, lengths + 3 n).

struct Params {
  slots: u32,       // 3 n
  pair_base: u32,   // the step's first entry of `pairs`
  pairs_total: u32, // loaded pairs
  lengths: u32,     // first entry written in `data`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> data: array<u32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = flat_index(wid, groups, lid);
  if (s >= params.slots) { return; }
  let o = (s % 3u) * (params.pairs_total + 1u) + pairs[params.pair_base + s / 3u];
  data[params.lengths + s] = offsets[o + 1u] - offsets[o];
}

// bag_keys: the (row, slot) list of a mini-batch, one entry per token occurrence, in slot order
// (slot 3 i + k, tokens in bag order): the embedding row as the key and the slot as the value,
// from each slot's first position (the exclusive scan of bag_lengths.wgsl's counts). A stable
// sort by key then gives each touched row's slots in slot order.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pairs    storage, read       u32 [*]: pair index per example; the step's from pair_base.
//   2 offsets  storage, read       u32 [3, pairs_total + 1]: bag offsets into `ids`.
//   3 ids      storage, read       u32 [*]: token ids (embedding rows) of all bags.
//   4 data     storage, read       u32 [*]: each slot's first position at [starts, starts + 3 n).
//   5 keys     storage, read_write u32 [tokens]: rows.
//   6 vals     storage, read_write u32 [tokens]: slots.

struct Params {
  slots: u32,       // 3 n
  pair_base: u32,   // the step's first entry of `pairs`
  pairs_total: u32, // loaded pairs
  starts: u32,      // first entry read in `data`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> ids: array<u32>;
@group(0) @binding(4) var<storage, read> data: array<u32>;
@group(0) @binding(5) var<storage, read_write> keys: array<u32>;
@group(0) @binding(6) var<storage, read_write> vals: array<u32>;

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
  let first = offsets[o];
  let at = data[params.starts + s];
  for (var t = first; t < offsets[o + 1u]; t++) {
    keys[at + t - first] = ids[t];
    vals[at + t - first] = s;
  }
}

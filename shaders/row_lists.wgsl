// row_lists: the touched-row list of a mini-batch from its sorted (row, slot) list: the first
// entry j of each run of equal keys (row_heads.wgsl) writes entry u (the run's number, from the
// scan of the marks) as (row, first, end, 0), the contributions being the sorted slots
// [first, end). A run longer than BLOCK (64; a frequent row) is cut into blocks of BLOCK from
// `first`, as the host planner does, for embedding_grad.wgsl to sum first: block b of the run
// goes to block slot j / 32 + b (distinct for distinct runs, since a blocked run is longer than
// 64) and the entry is (row, j / 32, j / 32 + blocks, 1). The number of touched rows goes to
// lists[0], and the epoch's totals gain this step's rows, blocks and blocked contributions
// (integer atomics: exact).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 keys    storage, read       u32 [n]: sorted rows.
//   2 data    storage, read       u32 [*]: the scanned marks at [flags, flags + n).
//   3 rows    storage, read_write u32 [*, 4]: (row, first, end, blocked) per touched row.
//   4 blocks  storage, read_write u32 [*, 2]: (first, end) per block slot.
//   5 lists   storage, read_write u32 [8]: [0] touched rows of the step; [4] touched rows,
//                                 [5] blocks, [6] blocked contributions, [7] touched table
//                                 chunks of the epoch so far.

struct Params {
  n: u32,     // token occurrences
  flags: u32, // first entry of the scanned marks in `data`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read> data: array<u32>;
@group(0) @binding(3) var<storage, read_write> rows: array<u32>;
@group(0) @binding(4) var<storage, read_write> blocks: array<u32>;
@group(0) @binding(5) var<storage, read_write> lists: array<atomic<u32>>;

// #include "lib/flat.wgsl"

const BLOCK: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat_index(wid, groups, lid);
  let n = params.n;
  if (j >= n) { return; }
  let row = keys[j];
  let head = j == 0u || keys[j - 1u] != row;
  if (j == n - 1u) {
    let touched = data[params.flags + j] + select(0u, 1u, head);
    atomicStore(&lists[0], touched);
    atomicAdd(&lists[4], touched);
  }
  if (!head) { return; }
  // The run's end: the first key above `row` (binary search in the sorted keys).
  var lo = j + 1u;
  var hi = n;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (keys[mid] == row) { lo = mid + 1u; } else { hi = mid; }
  }
  let end = lo;
  let e = 4u * data[params.flags + j];
  rows[e] = row;
  if (end - j <= BLOCK) {
    rows[e + 1u] = j;
    rows[e + 2u] = end;
    rows[e + 3u] = 0u;
    return;
  }
  let slot = j / 32u;
  let count = (end - j + BLOCK - 1u) / BLOCK;
  for (var b = 0u; b < count; b++) {
    blocks[2u * (slot + b)] = j + b * BLOCK;
    blocks[2u * (slot + b) + 1u] = min(end, j + (b + 1u) * BLOCK);
  }
  rows[e + 1u] = slot;
  rows[e + 2u] = slot + count;
  rows[e + 3u] = 1u;
  atomicAdd(&lists[5], count);
  atomicAdd(&lists[6], end - j);
}

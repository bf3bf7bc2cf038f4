// chunk_ranges: for each embedding table chunk, the range of a mini-batch's touched-row list
// (sorted by row) that falls in it, found by binary search, as (count, first entry) for
// embedding_adam.wgsl and as the indirect dispatch arguments of its flat grid (count * dim
// invocations in workgroups of 64, folded into 2-D past max_per_dim workgroups, as
// Kernel.dispatchFlat does). One invocation per chunk.
//
// Bindings:
//   0 params  uniform             Params below.
//   1 rows    storage, read       u32 [*, 4]: (row, first, end, blocked) per touched row.
//   2 lists   storage, read_write u32 [8]: [0] touched rows of the step; [7] gains the chunks
//                                 with touched rows (see row_lists.wgsl).
//   3 ranges  storage, read_write u32 [chunks, 2]: (count, first entry) per chunk.
//   4 args    storage, read_write u32 [chunks, 3]: workgroups (x, y, z) per chunk.

struct Params {
  chunks: u32,         // table chunks
  rows_per_chunk: u32, // table rows per chunk
  dim: u32,            // embedding width
  max_per_dim: u32,    // the device's maxComputeWorkgroupsPerDimension
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read_write> lists: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> ranges: array<u32>;
@group(0) @binding(4) var<storage, read_write> args: array<u32>;

const ADAM_WG: u32 = 64u;

/** The first entry of rows[0, touched) whose row is at least `row`. */
fn lower_bound(row: u32, touched: u32) -> u32 {
  var lo = 0u;
  var hi = touched;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (rows[4u * mid] < row) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) c: u32) {
  if (c >= params.chunks) { return; }
  let touched = atomicLoad(&lists[0]);
  let lo = lower_bound(c * params.rows_per_chunk, touched);
  let hi = lower_bound((c + 1u) * params.rows_per_chunk, touched);
  let count = hi - lo;
  ranges[2u * c] = count;
  ranges[2u * c + 1u] = lo;
  let groups = (count * params.dim + ADAM_WG - 1u) / ADAM_WG;
  let x = min(groups, params.max_per_dim);
  var y = 0u;
  if (x > 0u) { y = (groups + x - 1u) / x; }
  args[3u * c] = x;
  args[3u * c + 1u] = y;
  args[3u * c + 2u] = 1u;
  if (count > 0u) { atomicAdd(&lists[7], 1u); }
}

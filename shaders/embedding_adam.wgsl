// embedding_adam: lazy AdamW on the embedding rows a mini-batch touched, with their gradient
// accumulated deterministically: the host lists each touched row once, sorted, with the range of
// its contributions (the bag slots that contain it, one entry per occurrence, in slot order), so
// each (row, element) has one owner invocation that sums in a fixed order; no atomics. A frequent
// row instead lists its blocks, already summed by embedding_grad, and adds those in order.
// The update is lib/adamw.wgsl's, with decay = weight_decay.
// Dispatched once per table chunk holding touched rows (or, with the lists built on the GPU, once
// per chunk with the indirect grid of chunk_ranges.wgsl); one invocation per (row, element), flat.
// The chunk's (count, first entry) come from `ranges`, uploaded by the host or written by
// chunk_ranges.wgsl.
//
// Bindings:
//   0 params    uniform             Params below.
//   1 rows      storage, read       u32 [*, 4]: (row, first, end, blocked) per touched row, sorted
//                                   by row; entry row_base + u is the u-th row of this dispatch.
//                                   blocked = 0: contributions [first, end) of `contribs`;
//                                   blocked = 1: block partials [first, end) of `partial`.
//   2 contribs  storage, read       u32 [*]: bag slots 3 i + k, one per token occurrence.
//   3 gtok      storage, read       f32 [3 n, dim]: pooled_grad's per-token gradient per slot.
//   4 partial   storage, read       f32 [*, dim]: embedding_grad's block sums.
//   5 table     storage, read_write f32 [rows_per_chunk, dim]: the chunk's embedding rows.
//   6 m         storage, read_write f32 [rows_per_chunk, dim]: first moments, same layout.
//   7 v         storage, read_write f32 [rows_per_chunk, dim]: second moments, same layout.
//   8 ranges    storage, read       u32 [*, 2]: (count, first entry of `rows`) of this
//                                   dispatch's touched rows at entry `range`.

// #include "lib/adamw.wgsl"

struct Params {
  dim: u32,         // embedding width
  range: u32,       // entry of `ranges` describing this dispatch
  chunk_start: u32, // first table row held by this chunk
  unused: u32,
  adam: AdamW,      // at byte 16
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read> contribs: array<u32>;
@group(0) @binding(3) var<storage, read> gtok: array<f32>;
@group(0) @binding(4) var<storage, read> partial: array<f32>;
@group(0) @binding(5) var<storage, read_write> table: array<f32>;
@group(0) @binding(6) var<storage, read_write> m: array<f32>;
@group(0) @binding(7) var<storage, read_write> v: array<f32>;
@group(0) @binding(8) var<storage, read> ranges: array<u32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let dim = params.dim;
  if (flat >= ranges[2u * params.range] * dim) { return; }
  let e = 4u * (ranges[2u * params.range + 1u] + flat / dim);
  let d = flat % dim;
  var g = 0.0;
  if (rows[e + 3u] == 0u) {
    for (var c = rows[e + 1u]; c < rows[e + 2u]; c++) {
      g += gtok[contribs[c] * dim + d];
    }
  } else {
    for (var b = rows[e + 1u]; b < rows[e + 2u]; b++) {
      g += partial[b * dim + d];
    }
  }
  let at = (rows[e] - params.chunk_start) * dim + d;
  let u = adamw(params.adam, table[at], g, m[at], v[at], params.adam.weight_decay);
  m[at] = u.m;
  v[at] = u.v;
  table[at] = u.w;
}

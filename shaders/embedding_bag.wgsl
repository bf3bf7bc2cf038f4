// embedding_bag: pools each pair's three bags of hashed token ids (prompt, response a, response b)
// into vectors: the sum of their table rows divided by max(n, 1) (mean) or sqrt(max(n, 1)) (sqrtn);
// an empty bag pools to zero. With `direct` = 1 the table holds precomputed vectors (row
// pair * 3 + bag) that are copied as they are, with counts 0. One invocation per (slot i, bag k,
// element d), flat; the invocation with d == 0 also writes the bag's token count.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pairs    storage, read       u32 [pair_base + n]: slot i pools pair pairs[pair_base + i].
//   2 offsets  storage, read       u32 [3, pairs_total + 1]: bag k of pair j spans
//                                  ids[offsets[k * (pairs_total + 1) + j] .. offsets[... + j + 1])
//                                  (not read with `direct`).
//   3 ids      storage, read       u32 [*]: token ids = table rows (< buckets).
//   4-7 table0..table3 storage, read  f32 [rows_per_chunk, dim] each, row-major: the table split
//                                  by rows; row r is row r % rows_per_chunk of table{r / rows_per_chunk}.
//   8 pooled   storage, read_write f32 [n, stride], stride = 3 dim + 3: per slot
//                                  [p (dim), a (dim), b (dim), count_p, count_a, count_b].

struct Params {
  n: u32,              // slots to pool
  dim: u32,            // embedding width
  pair_base: u32,      // first entry of `pairs` used
  pairs_total: u32,    // pairs loaded (offsets has 3 * (pairs_total + 1) entries)
  rows_per_chunk: u32, // table rows per binding
  stride: u32,         // floats per slot in `pooled`
  pooling: u32,        // 0: mean, 1: sqrtn
  direct: u32,         // 1: precomputed vectors, no pooling
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> ids: array<u32>;
@group(0) @binding(4) var<storage, read> table0: array<f32>;
@group(0) @binding(5) var<storage, read> table1: array<f32>;
@group(0) @binding(6) var<storage, read> table2: array<f32>;
@group(0) @binding(7) var<storage, read> table3: array<f32>;
@group(0) @binding(8) var<storage, read_write> pooled: array<f32>;

// #include "lib/flat.wgsl"

fn table_at(row: u32, d: u32) -> f32 {
  let chunk = row / params.rows_per_chunk;
  let at = (row - chunk * params.rows_per_chunk) * params.dim + d;
  switch chunk {
    case 0u: { return table0[at]; }
    case 1u: { return table1[at]; }
    case 2u: { return table2[at]; }
    default: { return table3[at]; }
  }
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let per_slot = 3u * params.dim;
  if (flat >= params.n * per_slot) { return; }
  let i = flat / per_slot;
  let k = (flat % per_slot) / params.dim;
  let d = flat % params.dim;
  let pair = pairs[params.pair_base + i];
  var count = 0u;
  var value = 0.0;
  if (params.direct == 1u) {
    value = table_at(pair * 3u + k, d);
  } else {
    let at = k * (params.pairs_total + 1u) + pair;
    let start = offsets[at];
    count = offsets[at + 1u] - start;
    var sum = 0.0;
    for (var t = start; t < start + count; t++) {
      sum += table_at(ids[t], d);
    }
    let c = f32(max(count, 1u));
    value = select(sum / sqrt(c), sum / c, params.pooling == 0u);
  }
  let out = i * params.stride;
  pooled[out + k * params.dim + d] = value;
  if (d == 0u) {
    pooled[out + per_slot + k] = f32(count);
  }
}

// embedding_bag_vec4: embedding_bag for a width that is a multiple of 4 (the usual case): the same
// pooling, but each invocation owns four elements (one vec4 of every table row it reads) and
// loads four rows before adding them, so each invocation has four independent 16-byte loads in
// flight and a workgroup of 64 covers dim / 4 lanes of several bags at once. The sum runs in
// token order, as in embedding_bag, so both give bit-identical pooled vectors. With `direct` = 1
// the table holds precomputed vectors (row pair * 3 + bag) that are copied as they are, count 0.
// One invocation per (slot i, bag k, element group d4), flat; the one with d4 == 0 also writes
// the bag's token count.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 pairs    storage, read       u32 [pair_base + n]: slot i pools pair pairs[pair_base + i].
//   2 offsets  storage, read       u32 [3, pairs_total + 1]: bag k of pair j spans
//                                  ids[offsets[k * (pairs_total + 1) + j] .. offsets[... + j + 1])
//                                  (not read with `direct`).
//   3 ids      storage, read       u32 [*]: token ids = table rows (< buckets).
//   4-7 table0..table3 storage, read  vec4<f32> [rows_per_chunk, dim / 4] each, row-major: the
//                                  table split by rows; row r is row r % rows_per_chunk of
//                                  table{r / rows_per_chunk}.
//   8 pooled   storage, read_write f32 [n, stride], stride = 3 dim + 3: per slot
//                                  [p (dim), a (dim), b (dim), count_p, count_a, count_b].

struct Params {
  n: u32,              // slots to pool
  dim: u32,            // embedding width (a multiple of 4)
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
@group(0) @binding(4) var<storage, read> table0: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> table1: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> table2: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> table3: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> pooled: array<f32>;

// #include "lib/flat.wgsl"

fn row4(row: u32, d4: u32) -> vec4<f32> {
  let chunk = row / params.rows_per_chunk;
  let at = (row - chunk * params.rows_per_chunk) * (params.dim / 4u) + d4;
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
  let dim4 = params.dim / 4u;
  let per_slot = 3u * dim4;
  if (flat >= params.n * per_slot) { return; }
  let i = flat / per_slot;
  let k = (flat % per_slot) / dim4;
  let d4 = flat % dim4;
  let pair = pairs[params.pair_base + i];
  var count = 0u;
  var value = vec4<f32>(0.0);
  if (params.direct == 1u) {
    value = row4(pair * 3u + k, d4);
  } else {
    let at = k * (params.pairs_total + 1u) + pair;
    let start = offsets[at];
    let end = offsets[at + 1u];
    count = end - start;
    var sum = vec4<f32>(0.0);
    var t = start;
    // Four rows in flight, added in token order.
    for (; t + 4u <= end; t += 4u) {
      let r0 = row4(ids[t], d4);
      let r1 = row4(ids[t + 1u], d4);
      let r2 = row4(ids[t + 2u], d4);
      let r3 = row4(ids[t + 3u], d4);
      sum += r0;
      sum += r1;
      sum += r2;
      sum += r3;
    }
    for (; t < end; t++) {
      sum += row4(ids[t], d4);
    }
    let c = f32(max(count, 1u));
    value = select(sum / sqrt(c), sum / c, params.pooling == 0u);
  }
  let out = i * params.stride + k * params.dim + 4u * d4;
  pooled[out] = value.x;
  pooled[out + 1u] = value.y;
  pooled[out + 2u] = value.z;
  pooled[out + 3u] = value.w;
  if (d4 == 0u) {
    pooled[i * params.stride + 3u * params.dim + k] = f32(count);
  }
}

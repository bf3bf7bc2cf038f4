// row_sum: the sum of one value per invocation over a 64-invocation workgroup, reduced as a tree in
// workgroup memory in a fixed order (deterministic). Every invocation of the workgroup must call
// `reduce` the same number of times; each call returns the total to all of them.

var<workgroup> red: array<f32, 64>;

fn reduce(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

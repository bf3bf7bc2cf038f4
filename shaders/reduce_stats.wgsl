// reduce_stats: sums the per-pair (loss, correct) statistics of a mini-batch into two totals,
// adding to what the totals hold when `accumulate` is 1 (one dispatch per step, so the epoch's
// totals are summed in the same order however the epoch is cut into submissions). One workgroup: each invocation sums a
// strided share in order, then a fixed tree combines them (deterministic).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 stats   storage, read       f32 [base + n, 2]: (loss, correct) per pair, from loss_grad.
//   2 totals  storage, read_write f32 [2]: (sum of losses, number correct).
// Dispatch: 1 workgroup.

struct Params {
  n: u32,          // pairs
  accumulate: u32, // 1: add to totals, 0: overwrite them
  base: u32,       // first pair of `stats`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> totals: array<f32>;

const WG: u32 = 256u;
var<workgroup> loss_part: array<f32, 256>;
var<workgroup> hit_part: array<f32, 256>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var loss = 0.0;
  var hits = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    loss += stats[2u * (params.base + i)];
    hits += stats[2u * (params.base + i) + 1u];
  }
  loss_part[lid] = loss;
  hit_part[lid] = hits;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      loss_part[lid] += loss_part[lid + s];
      hit_part[lid] += hit_part[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    if (params.accumulate == 1u) {
      totals[0] += loss_part[0];
      totals[1] += hit_part[0];
    } else {
      totals[0] = loss_part[0];
      totals[1] = hit_part[0];
    }
  }
}

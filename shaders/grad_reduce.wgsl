// grad_reduce: the second pass of weight_grad's split-K: each gradient element is the sum of the
// chunks' partial sums, added in chunk order (deterministic, no atomics). One invocation per
// element, flat.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 partial  storage, read       f32 [chunks, count]: weight_grad's per-chunk sums.
//   2 grad     storage, read_write f32 [count]: the dense gradient, theta's layout.

struct Params {
  count: u32,  // gradient elements
  chunks: u32, // rows of `partial`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = flat_index(wid, groups, lid);
  if (e >= params.count) { return; }
  var g = 0.0;
  for (var c = 0u; c < params.chunks; c++) {
    g += partial[c * params.count + e];
  }
  grad[e] = g;
}

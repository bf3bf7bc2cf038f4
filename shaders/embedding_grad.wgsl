// embedding_grad: the first level of the embedding gradient of frequent rows. A row touched more
// than GRAD_BLOCK (64) times in a mini-batch has its contributions cut by the host into blocks of
// at most 64; this kernel sums each block, so that embedding_adam then sums a few block partials
// instead of one invocation walking thousands of contributions. One invocation per (block b,
// element d), flat, summing in contribution order (deterministic, no atomics).
//
// Bindings:
//   0 params    uniform             Params below.
//   1 blocks    storage, read       u32 [*, 2]: (first, end) contribution range of each block;
//                                   entry block_base + b is the b-th block of this dispatch.
//   2 contribs  storage, read       u32 [*]: bag slots 3 i + k, one per token occurrence.
//   3 gtok      storage, read       f32 [3 n, dim]: pooled_grad's per-token gradient per slot.
//   4 partial   storage, read_write f32 [*, dim]: block block_base + b's sum at row block_base + b.

struct Params {
  count: u32,      // blocks in this dispatch
  dim: u32,        // embedding width
  block_base: u32, // first block
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> blocks: array<u32>;
@group(0) @binding(2) var<storage, read> contribs: array<u32>;
@group(0) @binding(3) var<storage, read> gtok: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;

// #include "lib/flat.wgsl"

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let dim = params.dim;
  if (flat >= params.count * dim) { return; }
  let block = params.block_base + flat / dim;
  let d = flat % dim;
  var g = 0.0;
  for (var c = blocks[2u * block]; c < blocks[2u * block + 1u]; c++) {
    g += gtok[contribs[c] * dim + d];
  }
  partial[block * dim + d] = g;
}

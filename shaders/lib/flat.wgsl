// flat: the workgroup size and the flat invocation index shared by every flat-dispatched kernel.
// WG is a pipeline-overridable constant (each wrapper sets it); a dispatch too large for one grid
// row is folded into 2-D (see `Kernel.dispatchFlat` in src/gpu/kernel.ts), so the index is
// i = (workgroup_id.y * num_workgroups.x + workgroup_id.x) * WG + local_invocation_index,
// and every kernel guards with `if (i >= n) { return; }` right after computing it.

override WG: u32 = 64u;

fn flat_index(wid: vec3u, groups: vec3u, lid: u32) -> u32 {
  return (wid.y * groups.x + wid.x) * WG + lid;
}

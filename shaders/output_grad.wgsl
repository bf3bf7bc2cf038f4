// output_grad: the gradients of b1, w2 and b2: for unit h, dL/db1[h] = sum_rows g_z[row, h] and
// dL/dw2[h] = sum_rows g_r[row] act(z[row, h]); workgroup `hidden` computes dL/db2 = sum g_r.
// One workgroup per unit (hidden + 1 in all): its invocations sum strided pairs of rows in order,
// then a fixed tree combines them (deterministic).
//
// Bindings:
//   0 params  uniform             Params below.
//   1 z       storage, read       f32 [rows, hidden]: pre-activations.
//   2 gz      storage, read       f32 [rows, hidden]: dL/dz.
//   3 gr      storage, read       f32 [rows]: dL/dr.
//   4 grad    storage, read_write f32 [hidden * features + 2 hidden + 1]: writes b1, w2, b2 parts.
// Dispatch: hidden + 1 workgroups.

struct Params {
  rows: u32,       // 2 * pairs
  hidden: u32,     // hidden units
  features: u32,   // MLP input width
  activation: u32, // 0: GELU (tanh), 1: ReLU
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> gz: array<f32>;
@group(0) @binding(3) var<storage, read> gr: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

// #include "lib/activation.wgsl"

const WG: u32 = 64u;
var<workgroup> bias_part: array<f32, 64>;
var<workgroup> w2_part: array<f32, 64>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let hidden = params.hidden;
  let h = wid.x;
  let relu = params.activation == 1u;
  var sb = 0.0;
  var sw = 0.0;
  // Rows 2 i and 2 i + 1 (responses a and b of pair i) are added one after the other, so that
  // dL/db2 = sum (g_d - g_d) is exactly 0, as in the reference (AdamW would blow up a rounding
  // residue into a full step).
  for (var r = 2u * lid; r < params.rows; r += 2u * WG) {
    for (var s = r; s < min(r + 2u, params.rows); s++) {
      if (h < hidden) {
        let at = s * hidden + h;
        sb += gz[at];
        sw += gr[s] * act(z[at], relu);
      } else {
        sb += gr[s];
      }
    }
  }
  bias_part[lid] = sb;
  w2_part[lid] = sw;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      bias_part[lid] += bias_part[lid + s];
      w2_part[lid] += w2_part[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let base = hidden * params.features;
    if (h < hidden) {
      grad[base + h] = bias_part[0];
      grad[base + hidden + h] = w2_part[0];
    } else {
      grad[base + 2u * hidden] = bias_part[0];
    }
  }
}

// loss_grad: the Bradley-Terry loss of each pair and its gradient down to the hidden
// pre-activations. For slot i with label y (+1: a preferred, -1: b), weight w and margin m:
// u = m - y (r_a - r_b), loss = w softplus(u), g_d = -w y sigmoid(u) / n (the mini-batch mean),
// g_r = (g_d, -g_d) for rows (2 i, 2 i + 1) and g_z = g_r w2 act'(z).
// One invocation per (slot i, hidden unit h), flat; the one with h == 0 also writes the row
// gradients g_r and the pair's (loss, correct) statistics.
//
// Bindings:
//   0 params   uniform             Params below.
//   1 rewards  storage, read       f32 [2 n]: mlp_output's rewards (row 2 i + s).
//   2 z        storage, read       f32 [2 n, hidden]: mlp_hidden's pre-activations.
//   3 theta    storage, read       f32 [hidden * features + 2 hidden + 1]: W1, b1, w2, b2.
//   4 targets  storage, read       f32 [pos_base + n, 2]: (y, w) of slot i at pos_base + i.
//   5 gz       storage, read_write f32 [2 n, hidden]: dL/dz.
//   6 gr       storage, read_write f32 [2 n]: dL/dr.
//   7 stats    storage, read_write f32 [pos_base + n, 2]: (loss, 1 if y (r_a - r_b) > 0 else 0).

struct Params {
  n: u32,          // pairs in the mini-batch
  hidden: u32,     // hidden units
  features: u32,   // MLP input width
  activation: u32, // 0: GELU (tanh), 1: ReLU
  pos_base: u32,   // first entry of targets / stats
  margin: f32,     // Bradley-Terry margin m
  inv_n: f32,      // 1 / n
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rewards: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> targets: array<f32>;
@group(0) @binding(5) var<storage, read_write> gz: array<f32>;
@group(0) @binding(6) var<storage, read_write> gr: array<f32>;
@group(0) @binding(7) var<storage, read_write> stats: array<f32>;

// #include "lib/flat.wgsl"
// #include "lib/activation.wgsl"

fn log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}

fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let flat = flat_index(wid, groups, lid);
  let hidden = params.hidden;
  if (flat >= params.n * hidden) { return; }
  let i = flat / hidden;
  let h = flat % hidden;
  let pos = params.pos_base + i;
  let y = targets[2u * pos];
  let w = targets[2u * pos + 1u];
  let diff = rewards[2u * i] - rewards[2u * i + 1u];
  let u = params.margin - y * diff;
  let gd = -w * y * sigmoid(u) * params.inv_n;
  let w2 = theta[hidden * params.features + hidden + h];
  let a = 2u * i * hidden + h;
  let relu = params.activation == 1u;
  gz[a] = gd * w2 * act_grad(z[a], relu);
  gz[a + hidden] = -gd * w2 * act_grad(z[a + hidden], relu);
  if (h == 0u) {
    gr[2u * i] = gd;
    gr[2u * i + 1u] = -gd;
    stats[2u * pos] = w * (max(u, 0.0) + log1p(exp(-abs(u))));
    stats[2u * pos + 1u] = select(0.0, 1.0, y * diff > 0.0);
  }
}

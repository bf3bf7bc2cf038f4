// adamw: one AdamW update, shared by adam_dense and embedding_adam:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// w -= lr ((m / c1) / (sqrt(v / c2) + eps) + decay w), c1 = 1 - b1^t, c2 = 1 - b2^t.
// A kernel's uniform params hold an `AdamW` member at an offset that is a multiple of 16 bytes
// (uniform layout rule), filled by `adamFloats` in src/gpu/adam_dense.ts.

struct AdamW {
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  c1: f32, // 1 - beta1^t
  c2: f32, // 1 - beta2^t
}

// The updated weight and moments.
struct AdamWOut {
  w: f32,
  m: f32,
  v: f32,
}

// Updates weight w with gradient g and moments (m, v); `decay` is the weight decay to apply
// (a.weight_decay, or 0 for parameters without decay).
fn adamw(a: AdamW, w: f32, g: f32, m: f32, v: f32, decay: f32) -> AdamWOut {
  let mt = a.beta1 * m + (1.0 - a.beta1) * g;
  let vt = a.beta2 * v + (1.0 - a.beta2) * g * g;
  return AdamWOut(w - a.lr * ((mt / a.c1) / (sqrt(vt / a.c2) + a.eps) + decay * w), mt, vt);
}

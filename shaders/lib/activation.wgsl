// activation: the MLP's activations and their derivatives, GELU (tanh approximation, argument
// clamped so tanh stays finite) or ReLU, as in src/model/math.ts. `relu` is params.activation == 1.

fn act(x: f32, relu: bool) -> f32 {
  if (relu) { return max(x, 0.0); }
  let u = clamp(0.7978845608 * (x + 0.044715 * x * x * x), -15.0, 15.0);
  return 0.5 * x * (1.0 + tanh(u));
}

fn act_grad(x: f32, relu: bool) -> f32 {
  if (relu) { return select(0.0, 1.0, x > 0.0); }
  let c = 0.7978845608;
  let t = tanh(clamp(c * (x + 0.044715 * x * x * x), -15.0, 15.0));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
}

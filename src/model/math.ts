/**
 * The scalar functions of the reward model (`types.ts`): activations with their derivatives,
 * the logistic function and the Bradley-Terry pair loss with its gradient. Numerically stable
 * for large arguments.
 *
 * @module
 */

const GELU_C = 0.7978845608;
const GELU_A = 0.044715;

/**
 * The activation: GELU (tanh approximation) or ReLU.
 *
 * @param z The pre-activation.
 * @param kind `gelu` or `relu`.
 * @returns `act(z)`.
 * @example
 * ```ts
 * import { activate } from "./math.ts";
 * if (activate(-1, "relu") !== 0 || Math.abs(activate(1, "gelu") - 0.8412) > 1e-4) throw new Error();
 * ```
 */
export function activate(z: number, kind: "gelu" | "relu"): number {
  if (kind === "relu") return z > 0 ? z : 0;
  return 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_A * z * z * z)));
}

/**
 * The derivative of `activate` (ReLU's is 0 at 0).
 *
 * @param z The pre-activation.
 * @param kind `gelu` or `relu`.
 * @returns `act'(z)`.
 * @example
 * ```ts
 * import { activateGrad } from "./math.ts";
 * if (activateGrad(2, "relu") !== 1 || activateGrad(0, "gelu") !== 0.5) throw new Error();
 * ```
 */
export function activateGrad(z: number, kind: "gelu" | "relu"): number {
  if (kind === "relu") return z > 0 ? 1 : 0;
  const t = Math.tanh(GELU_C * (z + GELU_A * z * z * z));
  return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * z * z);
}

/**
 * The logistic function `1 / (1 + exp(-x))`, without overflow.
 *
 * @param x Any number.
 * @returns A value in [0, 1].
 * @example
 * ```ts
 * import { sigmoid } from "./math.ts";
 * if (sigmoid(0) !== 0.5 || sigmoid(-1000) !== 0) throw new Error();
 * ```
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * `log(1 + exp(x))`, without overflow.
 *
 * @param x Any number.
 * @returns A non-negative value.
 * @example
 * ```ts
 * import { softplus } from "./math.ts";
 * if (softplus(1000) !== 1000 || Math.abs(softplus(0) - Math.LN2) > 1e-15) throw new Error();
 * ```
 */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * The loss of one pair: `w * softplus(m - y (rA - rB))`.
 *
 * @param rA Reward of response a.
 * @param rB Reward of response b.
 * @param y 1 when a is preferred, -1 when b is.
 * @param w The pair's weight.
 * @param margin The Bradley-Terry margin `m`.
 * @returns The weighted loss.
 * @example
 * ```ts
 * import { pairLoss } from "./math.ts";
 * if (Math.abs(pairLoss(1, 1, 1, 1, 0) - Math.LN2) > 1e-15) throw new Error();
 * ```
 */
export function pairLoss(rA: number, rB: number, y: number, w: number, margin: number): number {
  return w * softplus(margin - y * (rA - rB));
}

/**
 * The derivative of `pairLoss` with respect to `rA` (that with respect to `rB` is its negative).
 *
 * @param rA Reward of response a.
 * @param rB Reward of response b.
 * @param y 1 when a is preferred, -1 when b is.
 * @param w The pair's weight.
 * @param margin The Bradley-Terry margin `m`.
 * @returns `d loss / d rA = -w y sigmoid(m - y (rA - rB))`.
 * @example
 * ```ts
 * import { pairLossGrad } from "./math.ts";
 * if (pairLossGrad(0, 0, 1, 2, 0) !== -1) throw new Error();
 * ```
 */
export function pairLossGrad(rA: number, rB: number, y: number, w: number, margin: number): number {
  return -w * y * sigmoid(margin - y * (rA - rB));
}

/**
 * The reward model's MLP head and Bradley-Terry loss in TensorFlow.js ops, forward and backward.
 * The backward pass is written out because `@tensorflow/tfjs-core` registers no gradients (they
 * ship with the `@tensorflow/tfjs` union package, with layers, converter and webgl): these are
 * the ops its autodiff would record, so the cost is the same.
 *
 * Shapes: B pairs; pooled bags `[3B, dim]` (prompts, then responses a, then responses b);
 * `x = [p, q, p * q, log1p|P|, log1p|Q|]` for the 2B (prompt, response) rows, a rows first.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "../../src/model/types.ts";

type T = tf.Tensor;

/** The dense weights: `W1 [hidden, F]`, `b1 [hidden]`, `w2 [hidden, 1]`, `b2 [1]`. */
export interface MlpWeights {
  W1: T;
  b1: T;
  w2: T;
  b2: T;
}

/** What the backward pass needs from the forward pass. */
export interface MlpCache {
  pp: T;
  q: T;
  x: T;
  z: T;
  h: T;
}

/**
 * Forward: rewards `[2B]` (all a, then all b).
 *
 * @param pooled Pooled bags `[3B, dim]`.
 * @param counts `log1p` bag sizes `[3B]`.
 * @param w The dense weights.
 * @param cfg The model config (dim, activation, denseFeatures).
 * @param B Pairs.
 * @returns The rewards and the cache for `mlpBackward`.
 */
export function mlpForward(
  pooled: T,
  counts: T,
  w: MlpWeights,
  cfg: ModelConfig,
  B: number,
): { r: T; cache: MlpCache } {
  const d = cfg.dim;
  const p = tf.slice(pooled, [0, 0], [B, d]);
  const q = tf.slice(pooled, [B, 0], [2 * B, d]);
  const pp = tf.concat([p, p], 0);
  const parts = [pp, q, tf.mul(pp, q)];
  if (cfg.denseFeatures) {
    const cp = tf.slice(counts, [0], [B]);
    parts.push(
      tf.expandDims(tf.concat([cp, cp], 0), 1),
      tf.expandDims(tf.slice(counts, [B], [2 * B]), 1),
    );
  }
  const x = tf.concat(parts, 1);
  const z = tf.add(tf.matMul(x, w.W1, false, true), w.b1);
  const h = cfg.activation === "relu" ? tf.relu(z) : gelu(z);
  const r = tf.reshape(tf.add(tf.matMul(h, w.w2), w.b2), [2 * B]);
  return { r, cache: { pp, q, x, z, h } };
}

/**
 * The loss `mean(w softplus(m - y (r_a - r_b)))` and its gradient with respect to the rewards.
 *
 * @param r Rewards `[2B]`.
 * @param y Labels `[B]` (+1/-1, float).
 * @param wt Example weights `[B]`.
 * @param margin The BT margin `m`.
 * @param B Pairs.
 * @returns The loss (scalar), `y (r_a - r_b)` `[B]` and `dL/dr` `[2B]`.
 */
export function btLoss(
  r: T,
  y: T,
  wt: T,
  margin: number,
  B: number,
): { loss: T; diff: T; dr: T } {
  const diff = tf.mul(y, tf.sub(tf.slice(r, [0], [B]), tf.slice(r, [B], [B])));
  const arg = tf.sub(margin, diff);
  const loss = tf.mean(tf.mul(wt, tf.softplus(arg)));
  const dDiff = tf.mul(tf.mul(wt, tf.sigmoid(arg)), -1 / B);
  const dra = tf.mul(y, dDiff);
  return { loss, diff, dr: tf.concat([dra, tf.neg(dra)], 0) };
}

/**
 * Backward: gradients of the dense weights and of the pooled bags.
 *
 * @param dr `dL/dr` `[2B]`.
 * @param c The forward cache.
 * @param w The dense weights.
 * @param cfg The model config.
 * @param B Pairs.
 * @returns `dW1, db1, dw2, db2` (shaped like the weights) and `dPooled [3B, dim]`.
 */
export function mlpBackward(
  dr: T,
  c: MlpCache,
  w: MlpWeights,
  cfg: ModelConfig,
  B: number,
): { dW1: T; db1: T; dw2: T; db2: T; dPooled: T } {
  const d = cfg.dim;
  const dr2 = tf.expandDims(dr, 1);
  const dw2 = tf.matMul(c.h, dr2, true, false);
  const db2 = tf.reshape(tf.sum(dr), [1]);
  const dh = tf.matMul(dr2, w.w2, false, true);
  const dz = tf.mul(
    dh,
    cfg.activation === "relu" ? tf.cast(tf.greater(c.z, 0), "float32") : geluGrad(c.z),
  );
  const dW1 = tf.matMul(dz, c.x, true, false);
  const db1 = tf.sum(dz, 0);
  const dx = tf.matMul(dz, w.W1);
  const dxp = tf.slice(dx, [0, 0], [2 * B, d]);
  const dxq = tf.slice(dx, [0, d], [2 * B, d]);
  const dxpq = tf.slice(dx, [0, 2 * d], [2 * B, d]);
  const dpp = tf.add(dxp, tf.mul(dxpq, c.q));
  const dq = tf.add(dxq, tf.mul(dxpq, c.pp));
  const dp = tf.add(tf.slice(dpp, [0, 0], [B, d]), tf.slice(dpp, [B, 0], [B, d]));
  return { dW1, db1, dw2, db2, dPooled: tf.concat([dp, dq], 0) };
}

const C = 0.7978845608, A = 0.044715;

function gelu(z: T): T {
  const t = tf.tanh(tf.mul(C, tf.add(z, tf.mul(A, tf.pow(z, 3)))));
  return tf.mul(tf.mul(0.5, z), tf.add(1, t));
}

/** d gelu / dz = 0.5 (1 + t) + 0.5 z (1 - t^2) C (1 + 3 A z^2), t = tanh(C (z + A z^3)). */
function geluGrad(z: T): T {
  const z2 = tf.square(z);
  const t = tf.tanh(tf.mul(C, tf.mul(z, tf.add(1, tf.mul(A, z2)))));
  const left = tf.mul(0.5, tf.add(1, t));
  const sech2 = tf.sub(1, tf.square(t));
  const right = tf.mul(tf.mul(tf.mul(0.5, z), sech2), tf.mul(C, tf.add(1, tf.mul(3 * A, z2))));
  return tf.add(left, right);
}

/**
 * The serflow reward model in TensorFlow.js ops (same math as `src/model/types.ts`), written the
 * way the library allows on both its wasm and webgpu backends:
 * - the embedding bags are a `gather` of the batch's unique rows, a `gather` per token and a
 *   segment sum as `scatterND` (which sums duplicate indices); the wasm backend has no
 *   `UnsortedSegmentSum` kernel, so the gradient of `gather` cannot be taken there and the bag's
 *   backward pass is written out by hand (a `gather` and a `scatterND`, the exact transpose);
 * - the MLP and the Bradley-Terry loss, forward and backward, are in `tfjs_mlp.ts`;
 * - AdamW is written out in ops so that the table update is lazy (touched rows only, as in the
 *   contract): gather the rows and their moments, update, `tensorScatterUpdate` them back.
 *   TF.js has no in-place update, so each step copies the whole table and both moment tables.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig, ModelParams, TrainOptions } from "../../src/model/types.ts";
import type { PeerData } from "../lib/peer_data.ts";
import { type BagBatch, BagBatcher } from "./bag_batch.ts";
import { btLoss, mlpBackward, mlpForward } from "./tfjs_mlp.ts";

type T = tf.Tensor;

/** The model's tensors and AdamW state on the active TF.js backend. */
export class TfjsRewardModel {
  #cfg: ModelConfig;
  #batcher: BagBatcher;
  /** `[E, W1, b1, w2, b2]` and their first and second moments. */
  #theta: T[];
  #m: T[];
  #v: T[];
  #step = 0;

  /**
   * @param data The peer data: features (kept on the host, batches are assembled there) and
   *   initial weights (uploaded).
   */
  constructor(data: PeerData) {
    const cfg = data.meta.model;
    this.#cfg = cfg;
    this.#batcher = new BagBatcher(data.features, cfg.buckets, cfg.pooling);
    const p: ModelParams = data.params;
    const F = p.w1.length / cfg.hidden;
    this.#theta = [
      tf.tensor2d(p.embedding, [cfg.buckets, cfg.dim]),
      tf.tensor2d(p.w1, [cfg.hidden, F]),
      tf.tensor1d(p.b1),
      tf.tensor2d(p.w2, [cfg.hidden, 1]),
      tf.tensor1d(p.b2),
    ];
    this.#m = this.#theta.map((t) => tf.zerosLike(t));
    this.#v = this.#theta.map((t) => tf.zerosLike(t));
  }

  /** Pooled bags `[3B, dim]` from the batch's unique rows `EU`. */
  #pool(EU: T, b: BagBatch): T {
    return tf.tidy(() => {
      const rows = tf.mul(tf.gather(EU, b.local), tf.expandDims(b.weight, 1));
      return tf.scatterND(tf.expandDims(b.segment, 1), rows, [3 * b.pairs, this.#cfg.dim]);
    });
  }

  /**
   * One AdamW step on the pairs at `pairIdx` (labels `y`, weights `w`).
   *
   * @returns Scalars: the summed loss and the number of correctly ordered pairs (not read back).
   */
  trainStep(pairIdx: Uint32Array, y: Float32Array, w: Float32Array, o: TrainOptions): [T, T] {
    const b = this.#batcher.batch(pairIdx);
    const B = b.pairs;
    this.#step++;
    const t = this.#step;
    const [E, W1, b1, w2, b2] = this.#theta;
    const out = tf.tidy(() => {
      const U = tf.tensor1d(b.unique, "int32");
      const EU = tf.gather(E, U);
      const mw = { W1, b1, w2, b2 };
      const fwd = mlpForward(this.#pool(EU, b), tf.tensor1d(b.logCounts), mw, this.#cfg, B);
      const { loss, diff, dr } = btLoss(fwd.r, tf.tensor1d(y), tf.tensor1d(w), o.margin, B);
      const g = mlpBackward(dr, fwd.cache, mw, this.#cfg, B);
      // The bag's backward pass: d rows = d pooled[segment] * weight, summed per unique row.
      const dRows = tf.mul(tf.gather(g.dPooled, b.segment), tf.expandDims(b.weight, 1));
      const dEU = tf.scatterND(tf.expandDims(b.local, 1), dRows, [b.unique.length, this.#cfg.dim]);
      const U2 = tf.expandDims(U, 1);
      const [m0, v0] = [this.#m[0], this.#v[0]];
      const [eU, mU, vU] = adamw(EU, tf.gather(m0, U), tf.gather(v0, U), dEU, t, o, true);
      const grads = [g.dW1, g.db1, g.dw2, g.db2];
      const next = [
        [E, m0, v0].map((x, i) => tf.tensorScatterUpdate(x, U2, [eU, mU, vU][i])),
        ...[W1, b1, w2, b2].map((p, i) =>
          adamw(p, this.#m[i + 1], this.#v[i + 1], grads[i], t, o, i === 0 || i === 2)
        ),
      ];
      const correct = tf.sum(tf.cast(tf.greater(diff, 0), "float32"));
      return { next, loss: tf.mul(loss, B), correct };
    });
    tf.dispose([...this.#theta, ...this.#m, ...this.#v]);
    this.#theta = out.next.map((x) => x[0]);
    this.#m = out.next.map((x) => x[1]);
    this.#v = out.next.map((x) => x[2]);
    return [out.loss, out.correct];
  }

  /**
   * Rewards of the pairs `pairIdx`, in chunks, read back once at the end. A chunk holds at most
   * `maxTokens` token ids (default: 32 MiB of gathered rows, `tokens * dim` floats), as one tensor
   * must fit a storage binding (128 MiB by default on WebGPU; past it tfjs-webgpu silently
   * computes garbage).
   *
   * @returns Rewards of responses a and b.
   */
  async score(
    pairIdx: Uint32Array,
    maxTokens = 2 ** 18,
  ): Promise<{ a: Float32Array; b: Float32Array }> {
    const parts: T[] = [];
    const f = this.#batcher.features;
    const len = (i: number) =>
      f.promptOffsets[i + 1] - f.promptOffsets[i] + f.aOffsets[i + 1] - f.aOffsets[i] +
      f.bOffsets[i + 1] -
      f.bOffsets[i];
    for (let s = 0; s < pairIdx.length;) {
      let e = s, tokens = 0;
      while (e < pairIdx.length && (e === s || tokens + len(pairIdx[e]) <= maxTokens)) {
        tokens += len(pairIdx[e++]);
      }
      const b = this.#batcher.batch(pairIdx.subarray(s, e));
      s = e;
      parts.push(tf.tidy(() => {
        const EU = tf.gather(this.#theta[0], tf.tensor1d(b.unique, "int32"));
        const [, W1, b1, w2, b2] = this.#theta;
        const counts = tf.tensor1d(b.logCounts);
        const { r } = mlpForward(this.#pool(EU, b), counts, { W1, b1, w2, b2 }, this.#cfg, b.pairs);
        return tf.reshape(r, [2, b.pairs]);
      }));
    }
    const all = tf.concat(parts, 1);
    const data = await all.data() as Float32Array;
    tf.dispose([...parts, all]);
    const n = pairIdx.length;
    return { a: data.slice(0, n), b: data.slice(n, 2 * n) };
  }

  /** Frees every tensor. */
  dispose(): void {
    tf.dispose([...this.#theta, ...this.#m, ...this.#v]);
  }
}

/** AdamW on one parameter (decoupled decay when `decay`); returns `[theta, m, v]`. */
function adamw(theta: T, m: T, v: T, g: T, t: number, o: TrainOptions, decay: boolean): T[] {
  const m2 = tf.add(tf.mul(o.beta1, m), tf.mul(1 - o.beta1, g));
  const v2 = tf.add(tf.mul(o.beta2, v), tf.mul(1 - o.beta2, tf.square(g)));
  const mHat = tf.div(m2, 1 - o.beta1 ** t);
  const vHat = tf.div(v2, 1 - o.beta2 ** t);
  let upd = tf.div(mHat, tf.add(tf.sqrt(vHat), o.eps));
  if (decay && o.weightDecay > 0) upd = tf.add(upd, tf.mul(o.weightDecay, theta));
  return [tf.sub(theta, tf.mul(o.lr, upd)), m2, v2];
}

/**
 * Checks a training set before any GPU work, the same rules and messages on every backend, so that
 * a bad example fails the call without leaving a half-trained epoch behind.
 *
 * @module
 */
import type { TrainSet } from "./types.ts";

/**
 * Checks a training set against the loaded pairs .
 *
 * @param set The examples.
 * @param order Positions into `set`.
 * @param n Pairs loaded.
 * @param batchSize Mini-batch size.
 * @throws RangeError naming the bad value.
 * @example
 * ```ts
 * import { checkTrainSet } from "./check_train_set.ts";
 * const set = { indices: new Uint32Array([0]), labels: new Int8Array([1]), weights: new Float32Array([1]) };
 * checkTrainSet(set, new Uint32Array([0]), 1, 8);
 * ```
 */
export function checkTrainSet(
  set: TrainSet,
  order: Uint32Array,
  n: number,
  batchSize: number,
): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Cannot train as 'batchSize' must be an integer >= 1: current value is ${batchSize}`,
    );
  }
  const len = set.indices.length;
  if (set.labels.length !== len || set.weights.length !== len) {
    throw new RangeError(
      `Cannot train as the training set's indices, labels and weights have different lengths ` +
        `(${len}, ${set.labels.length}, ${set.weights.length})`,
    );
  }
  for (let t = 0; t < order.length; t++) {
    const pos = order[t];
    if (pos >= len) {
      throw new RangeError(
        `Cannot train as order[${t}] = ${pos} is not a position in the ${len}-example set`,
      );
    }
    const i = set.indices[pos], y = set.labels[pos];
    if (i >= n) throw new RangeError(`Cannot train on pair ${i} as only ${n} pairs are loaded`);
    if (y !== 1 && y !== -1) {
      throw new RangeError(
        `Cannot train on pair ${i} as its label must be 1 or -1: current value is ${y}`,
      );
    }
  }
}

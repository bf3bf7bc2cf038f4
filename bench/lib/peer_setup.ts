/**
 * Builds the peers' common input from featurized, labelled pairs: a train/test split, one example
 * order per epoch and serflow's initial weights, all drawn from one seed.
 *
 * @module
 */
import { initParams } from "../../src/model/params.ts";
import type { ModelConfig, PairFeatures, TrainOptions } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";
import type { PeerData } from "./peer_data.ts";

/** What `buildPeerData` needs besides the features. */
export interface PeerSetupOptions {
  model: ModelConfig;
  train: TrainOptions;
  epochs: number;
  /** Labels of all pairs (1: a preferred, -1: b preferred). */
  labels: Int8Array;
  /** 1 where the pair is held out for testing. */
  isTest: Uint8Array;
  seed: number;
  source: string;
}

/**
 * Splits, orders and initialises.
 *
 * @param features The featurized pairs.
 * @param o Labels, test mask, model, optimizer, epochs and seed.
 * @returns The peer data.
 * @example
 * ```ts
 * import { buildPeerData } from "./peer_setup.ts";
 * import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../../src/model/types.ts";
 * const u = (a: number[]) => new Uint32Array(a);
 * const f = { n: 2, promptOffsets: u([0, 1, 2]), promptIds: u([1, 2]), aOffsets: u([0, 1, 2]),
 *   aIds: u([3, 4]), bOffsets: u([0, 1, 2]), bIds: u([5, 6]) };
 * const d = buildPeerData(f, { model: { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 4 },
 *   train: DEFAULT_TRAIN, epochs: 2, labels: new Int8Array([1, -1]),
 *   isTest: new Uint8Array([0, 1]), seed: 1, source: "doc" });
 * if (d.meta.nTrain !== 1 || d.orders.length !== 2) throw new Error();
 * ```
 */
export function buildPeerData(features: PairFeatures, o: PeerSetupOptions): PeerData {
  const n = features.n;
  if (o.labels.length !== n || o.isTest.length !== n) {
    throw new RangeError(
      `Cannot build peer data as labels (${o.labels.length}) and test mask (${o.isTest.length}) must have one entry per pair (${n})`,
    );
  }
  const trainIdx: number[] = [], testIdx: number[] = [];
  for (let i = 0; i < n; i++) (o.isTest[i] ? testIdx : trainIdx).push(i);
  const train = Uint32Array.from(trainIdx), test = Uint32Array.from(testIdx);
  const rng = new Rng(o.seed);
  const orders = new Uint32Array(o.epochs * train.length);
  for (let e = 0; e < o.epochs; e++) {
    const perm = rng.shuffle(new Uint32Array(train.length).map((_, i) => i));
    orders.set(perm, e * train.length);
  }
  return {
    meta: {
      n,
      nTrain: train.length,
      nTest: test.length,
      epochs: o.epochs,
      model: o.model,
      train: o.train,
      source: o.source,
    },
    features,
    train: {
      indices: train,
      labels: Int8Array.from(train, (i) => o.labels[i]),
      weights: new Float32Array(train.length).fill(1),
    },
    test: { indices: test, labels: Int8Array.from(test, (i) => o.labels[i]) },
    orders,
    params: initParams(o.model, rng.fork("params")),
  };
}

/**
 * The data every peer trains on: serflow's featurized pairs (CSR token ids), the training and
 * test sets, the per-epoch example orders and the initial weights, written once as `.npy` files
 * plus `meta.json`, so that serflow, TensorFlow.js and PyTorch see exactly the same inputs.
 *
 * Layout of a peer-data folder (all arrays 1-D unless noted):
 * `prompt_offsets, a_offsets, b_offsets` u4 `[n + 1]`; `prompt_ids, a_ids, b_ids` u4;
 * `train_idx` u4, `train_labels` i1, `train_weights` f4; `test_idx` u4, `test_labels` i1;
 * `orders` u4 `[epochs, nTrain]` (positions into the training set); `embedding` f4
 * `[buckets, dim]`, `w1` f4 `[hidden, F]`, `b1` f4, `w2` f4, `b2` f4 `[1]`.
 *
 * @module
 */
import type {
  ModelConfig,
  ModelParams,
  PairFeatures,
  TrainOptions,
} from "../../src/model/types.ts";
import { featureWidth } from "../../src/model/types.ts";
import { readNpy, writeNpy } from "./npy.ts";

/** `meta.json` of a peer-data folder. */
export interface PeerMeta {
  /** Pairs in the CSR arrays. */
  n: number;
  nTrain: number;
  nTest: number;
  epochs: number;
  model: ModelConfig;
  train: TrainOptions;
  /** Where the data came from (e.g. "synthetic 10000 pairs, seed 7"). */
  source: string;
}

/** Everything a peer needs, in memory. */
export interface PeerData {
  meta: PeerMeta;
  features: PairFeatures;
  train: { indices: Uint32Array; labels: Int8Array; weights: Float32Array };
  test: { indices: Uint32Array; labels: Int8Array };
  /** `epochs` permutations of `[0, nTrain)`, one after the other. */
  orders: Uint32Array;
  params: ModelParams;
}

/**
 * Writes a peer-data folder.
 *
 * @param dir The folder (created if missing).
 * @param data The features, sets, orders and initial weights.
 * @returns Resolves when every file is written.
 * @example
 * ```ts ignore
 * await writePeerData("/tmp/peer", data);
 * ```
 */
export async function writePeerData(dir: string, data: PeerData): Promise<void> {
  const { meta, features: f, params: p } = data;
  if (meta.model.input !== "bag") {
    throw new RangeError(
      `Cannot export peer data as model.input is '${meta.model.input}': the peers take 'bag'`,
    );
  }
  if (data.orders.length !== meta.epochs * meta.nTrain) {
    throw new RangeError(
      `Cannot export peer data as orders hold ${data.orders.length} positions: expected epochs * nTrain = ${
        meta.epochs * meta.nTrain
      }`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const w = (name: string, a: Parameters<typeof writeNpy>[1], shape?: number[]) =>
    writeNpy(`${dir}/${name}.npy`, a, shape);
  const F = featureWidth(meta.model);
  await w("prompt_offsets", f.promptOffsets);
  await w("prompt_ids", f.promptIds);
  await w("a_offsets", f.aOffsets);
  await w("a_ids", f.aIds);
  await w("b_offsets", f.bOffsets);
  await w("b_ids", f.bIds);
  await w("train_idx", data.train.indices);
  await w("train_labels", data.train.labels);
  await w("train_weights", data.train.weights);
  await w("test_idx", data.test.indices);
  await w("test_labels", data.test.labels);
  await w("orders", data.orders, [meta.epochs, meta.nTrain]);
  await w("embedding", p.embedding, [meta.model.buckets, meta.model.dim]);
  await w("w1", p.w1, [meta.model.hidden, F]);
  await w("b1", p.b1);
  await w("w2", p.w2);
  await w("b2", p.b2);
  await Deno.writeTextFile(`${dir}/meta.json`, JSON.stringify(meta, null, 2) + "\n");
}

/**
 * Reads a peer-data folder written by `writePeerData`.
 *
 * @param dir The folder.
 * @returns The data.
 * @example
 * ```ts ignore
 * const data = await readPeerData("/tmp/peer");
 * console.log(data.meta.nTrain);
 * ```
 */
export async function readPeerData(dir: string): Promise<PeerData> {
  const meta = JSON.parse(await Deno.readTextFile(`${dir}/meta.json`)) as PeerMeta;
  const r = async <T>(name: string) => (await readNpy(`${dir}/${name}.npy`)).data as T;
  return {
    meta,
    features: {
      n: meta.n,
      promptOffsets: await r<Uint32Array>("prompt_offsets"),
      promptIds: await r<Uint32Array>("prompt_ids"),
      aOffsets: await r<Uint32Array>("a_offsets"),
      aIds: await r<Uint32Array>("a_ids"),
      bOffsets: await r<Uint32Array>("b_offsets"),
      bIds: await r<Uint32Array>("b_ids"),
    },
    train: {
      indices: await r<Uint32Array>("train_idx"),
      labels: await r<Int8Array>("train_labels"),
      weights: await r<Float32Array>("train_weights"),
    },
    test: { indices: await r<Uint32Array>("test_idx"), labels: await r<Int8Array>("test_labels") },
    orders: await r<Uint32Array>("orders"),
    params: {
      embedding: await r<Float32Array>("embedding"),
      w1: await r<Float32Array>("w1"),
      b1: await r<Float32Array>("b1"),
      w2: await r<Float32Array>("w2"),
      b2: await r<Float32Array>("b2"),
    },
  };
}

/**
 * Pairwise accuracy of rewards against labels: the share with `y (r_a - r_b) > 0`.
 *
 * @param rewardA Rewards of response a.
 * @param rewardB Rewards of response b.
 * @param labels 1 (a preferred) or -1.
 * @returns The accuracy in [0, 1] (NaN for no pairs).
 * @example
 * ```ts
 * import { pairAccuracy } from "./peer_data.ts";
 * const acc = pairAccuracy(new Float32Array([1, 0]), new Float32Array([0, 1]), new Int8Array([1, 1]));
 * if (acc !== 0.5) throw new Error();
 * ```
 */
export function pairAccuracy(
  rewardA: Float32Array,
  rewardB: Float32Array,
  labels: Int8Array,
): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] * (rewardA[i] - rewardB[i]) > 0) ok++;
  return labels.length ? ok / labels.length : NaN;
}

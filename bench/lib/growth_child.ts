/**
 * One cost-growth measurement in a fresh process (so its peak memory is its own): loads `n` pairs
 * of a cached featurized world (tiled past its size, ids masked to `buckets`) into a backend,
 * scores them all, optionally trains one epoch on them, and prints one JSON line.
 *
 * Usage: `deno run -A bench/lib/growth_child.ts --cache DIR --n N --backend cpu|webgpu
 * [--buckets B] [--dim D] [--train]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initParams } from "../../src/model/params.ts";
import { openBackend } from "../../src/compute/open_backend.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN, type PairFeatures } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { peakRssBytes } from "./machine.ts";
import { readNpy } from "./npy.ts";

/** What one growth point measured. */
export interface GrowthPoint {
  n: number;
  backend: string;
  buckets: number;
  dim: number;
  load_s: number;
  score_s: number;
  /** One epoch over all n pairs (null when not asked). */
  train_s: number | null;
  feature_bytes: number;
  peak_rss_mib: number;
}

/**
 * `n` pairs from base features: pair i is base pair `i mod base.n`, ids masked to `buckets`
 * (a power of two no larger than the base's, so the ids equal a featurizer run with `buckets`).
 *
 * @param base The cached features.
 * @param n Pairs wanted.
 * @param buckets A power of two.
 * @returns The features.
 * @example
 * ```ts
 * import { tileFeatures } from "./growth_child.ts";
 * const u = (a: number[]) => new Uint32Array(a);
 * const f = { n: 1, promptOffsets: u([0, 1]), promptIds: u([5]), aOffsets: u([0, 1]), aIds: u([6]),
 *   bOffsets: u([0, 0]), bIds: u([]) };
 * const t = tileFeatures(f, 3, 4);
 * if (t.n !== 3 || t.promptIds.join() !== "1,1,1" || t.aOffsets.join() !== "0,1,2,3") throw new Error();
 * ```
 */
export function tileFeatures(base: PairFeatures, n: number, buckets: number): PairFeatures {
  const mask = buckets - 1;
  const tile = (off: Uint32Array, ids: Uint32Array): [Uint32Array, Uint32Array] => {
    const outOff = new Uint32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const j = i % base.n;
      total += off[j + 1] - off[j];
      outOff[i + 1] = total;
    }
    const outIds = new Uint32Array(total);
    for (let i = 0; i < n; i++) {
      const j = i % base.n;
      const src = ids.subarray(off[j], off[j + 1]);
      const dst = outIds.subarray(outOff[i], outOff[i + 1]);
      for (let k = 0; k < src.length; k++) dst[k] = src[k] & mask;
    }
    return [outOff, outIds];
  };
  const [po, pi] = tile(base.promptOffsets, base.promptIds);
  const [ao, ai] = tile(base.aOffsets, base.aIds);
  const [bo, bi] = tile(base.bOffsets, base.bIds);
  return { n, promptOffsets: po, promptIds: pi, aOffsets: ao, aIds: ai, bOffsets: bo, bIds: bi };
}

/**
 * Reads cached base features (written by `growth.ts`).
 *
 * @param dir The cache folder.
 * @returns The features.
 */
export async function readBaseFeatures(dir: string): Promise<PairFeatures> {
  const r = async (k: string) => (await readNpy(`${dir}/${k}.npy`)).data as Uint32Array;
  const promptOffsets = await r("prompt_offsets");
  return {
    n: promptOffsets.length - 1,
    promptOffsets,
    promptIds: await r("prompt_ids"),
    aOffsets: await r("a_offsets"),
    aIds: await r("a_ids"),
    bOffsets: await r("b_offsets"),
    bIds: await r("b_ids"),
  };
}

async function main(args: string[]): Promise<GrowthPoint> {
  const { values } = parseArgs({
    args,
    options: {
      cache: { type: "string" },
      n: { type: "string" },
      backend: { type: "string", default: "cpu" },
      buckets: { type: "string", default: "262144" },
      dim: { type: "string", default: "64" },
      train: { type: "boolean", default: false },
    },
  });
  const n = Number(values.n), buckets = Number(values.buckets), dim = Number(values.dim);
  const cfg = { ...DEFAULT_MODEL, buckets, dim, hidden: 128 };
  const f = tileFeatures(await readBaseFeatures(values.cache!), n, buckets);
  const featureBytes = [f.promptOffsets, f.promptIds, f.aOffsets, f.aIds, f.bOffsets, f.bIds]
    .reduce((s, a) => s + a.byteLength, 0);
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  let t0 = performance.now();
  const b = await openBackend(values.backend as "cpu" | "webgpu", cfg, log);
  await b.load(f);
  await b.setParams(initParams(cfg, new Rng(1)));
  const load = (performance.now() - t0) / 1e3;
  const all = new Uint32Array(n).map((_, i) => i);
  t0 = performance.now();
  await b.score(all);
  const score = (performance.now() - t0) / 1e3;
  let train: number | null = null;
  if (values.train) {
    const set = {
      indices: all,
      labels: new Int8Array(n).map((_, i) => (i % 2 ? 1 : -1)),
      weights: new Float32Array(n).fill(1),
    };
    t0 = performance.now();
    await b.trainEpoch(set, new Rng(2).shuffle(all.slice()), DEFAULT_TRAIN);
    train = (performance.now() - t0) / 1e3;
  }
  b.destroy();
  return {
    n,
    backend: b.kind,
    buckets,
    dim,
    load_s: load,
    score_s: score,
    train_s: train,
    feature_bytes: featureBytes,
    peak_rss_mib: peakRssBytes() / 2 ** 20,
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(Deno.args)));

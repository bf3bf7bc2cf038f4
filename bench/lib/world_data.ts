/**
 * Benchmark data from serflow's own pieces, without running a pipeline: the synthetic preference
 * world (`src/data/synthetic`), grouped splits (`assignSplits`) and the featurizer, each timed.
 *
 * @module
 */
import type { PairRow } from "../../src/data/schema.ts";
import { assignSplits, type HeldSplit } from "../../src/data/split_assign.ts";
import { samplePairs } from "../../src/data/synthetic/sample.ts";
import { buildWorld, DEFAULT_SYNTHETIC } from "../../src/data/synthetic/world.ts";
import {
  DEFAULT_FEATURIZER,
  Featurizer,
  type FeaturizerConfig,
} from "../../src/model/featurizer.ts";
import type { PairFeatures } from "../../src/model/types.ts";
import { hashString, Rng } from "../../src/contracts/rng.ts";

/** Synthetic pairs, featurized and split, with the seconds each step took. */
export interface WorldData {
  rows: PairRow[];
  features: PairFeatures;
  /** The human label of every pair (1/-1). */
  labels: Int8Array;
  splits: HeldSplit[];
  seconds: { generate: number; featurize: number; split: number };
}

/** Split fractions used by the benchmarks (the shipped pipelines' defaults). */
export const BENCH_SPLIT = { seed: 0.05, validation: 0.05, test: 0.2 };

/**
 * Generates `pairs` synthetic pairs exactly as the `synthetic` stage does with this seed.
 *
 * @param pairs How many.
 * @param seed The world's seed.
 * @returns The rows (labels set, split empty).
 * @example
 * ```ts
 * import { syntheticRows } from "./world_data.ts";
 * const rows = syntheticRows(20, 7);
 * if (rows.length !== 20 || rows[0].pair_id !== syntheticRows(20, 7)[0].pair_id) throw new Error();
 * ```
 */
export function syntheticRows(pairs: number, seed: number): PairRow[] {
  const world = buildWorld({ ...DEFAULT_SYNTHETIC, pairs }, seed);
  const rng = new Rng(seed ^ hashString("synthetic pairs"));
  const rows: PairRow[] = [];
  for (const p of samplePairs(world, rng)) rows.push(p.row);
  return rows;
}

/**
 * Featurizes pairs with serflow's featurizer (prompt and responses in their namespaces).
 *
 * @param rows The pairs.
 * @param fz The featurizer config, or just the bucket count (the defaults otherwise).
 * @returns CSR features.
 * @example
 * ```ts
 * import { featurizeRows, syntheticRows } from "./world_data.ts";
 * const f = featurizeRows(syntheticRows(5, 1), 1024);
 * if (f.n !== 5 || f.promptOffsets.length !== 6) throw new Error();
 * ```
 */
export function featurizeRows(
  rows: readonly PairRow[],
  fz: FeaturizerConfig | number,
): PairFeatures {
  const f = new Featurizer(typeof fz === "number" ? { ...DEFAULT_FEATURIZER, buckets: fz } : fz);
  const p = f.featurizeTexts(rows.map((r) => r.prompt), "prompt");
  const a = f.featurizeTexts(rows.map((r) => r.response_a), "response");
  const b = f.featurizeTexts(rows.map((r) => r.response_b), "response");
  return {
    n: rows.length,
    promptOffsets: p.offsets,
    promptIds: p.ids,
    aOffsets: a.offsets,
    aIds: a.ids,
    bOffsets: b.offsets,
    bIds: b.ids,
  };
}

/**
 * Generates, featurizes and splits (by prompt group) a synthetic world, timing each step.
 *
 * @param pairs How many pairs.
 * @param seed The seed of the world and of the split.
 * @param fz The featurizer config, or just the bucket count.
 * @returns The data.
 * @example
 * ```ts
 * import { worldData } from "./world_data.ts";
 * const d = worldData(50, 3, 4096);
 * if (d.splits.length !== 50 || !d.splits.includes("test")) throw new Error();
 * ```
 */
export function worldData(pairs: number, seed: number, fz: FeaturizerConfig | number): WorldData {
  let t0 = performance.now();
  const rows = syntheticRows(pairs, seed);
  const generate = (performance.now() - t0) / 1e3;
  t0 = performance.now();
  const features = featurizeRows(rows, fz);
  const featurize = (performance.now() - t0) / 1e3;
  t0 = performance.now();
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.group_id, (sizes.get(r.group_id) ?? 0) + 1);
  const bySplit = assignSplits(sizes, BENCH_SPLIT, new Rng(seed ^ hashString("bench split")));
  const splits = rows.map((r) => bySplit.get(r.group_id)!);
  const split = (performance.now() - t0) / 1e3;
  const labels = Int8Array.from(rows, (r) => r.label ?? 0);
  return { rows, features, labels, splits, seconds: { generate, featurize, split } };
}

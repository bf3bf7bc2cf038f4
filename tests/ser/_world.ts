/**
 * A tiny synthetic preference world for the SER tests: responses made of "good" and "bad" words;
 * the preferred response is the one with the higher hidden quality (with some label noise).
 */
import { pairBatch, type PairRow, type Split } from "../../src/data/schema.ts";
import type { Batch } from "../../src/contracts/types.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { collectPairs, type SerData } from "../../src/ser/dataset.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import type { RewardBackend } from "../../src/model/types.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import { type LoopOptions, loopOptions, type SerConfig } from "../../src/ser/config.ts";
import { defaultOf } from "../../src/pipeline/fields.ts";
import { SER_FIELDS } from "../../src/ser/config.ts";
import type { LoopContext } from "../../src/ser/iteration.ts";
import { MemoryStore, type SerStore } from "../../src/ser/store.ts";

const GOOD = Array.from({ length: 12 }, (_, i) => `good${i}`);
const BAD = Array.from({ length: 12 }, (_, i) => `bad${i}`);
const FILLER = Array.from({ length: 20 }, (_, i) => `w${i}`);

/** Pairs per split of the tiny world. */
export const SIZES: Record<Exclude<Split, "">, number> = {
  seed: 30,
  unlabelled: 300,
  validation: 80,
  test: 120,
};

/** @returns The world's pair batches (two batches), deterministic for a seed. */
export function worldBatches(seed = 1, noise = 0.1): Batch[] {
  const rng = new Rng(seed);
  const response = () => {
    const words: string[] = [];
    let q = 0;
    for (let j = 0; j < 6; j++) {
      const u = rng.next();
      if (u < 0.25) words.push(GOOD[rng.int(GOOD.length)]), q++;
      else if (u < 0.5) words.push(BAD[rng.int(BAD.length)]), q--;
      else words.push(FILLER[rng.int(FILLER.length)]);
    }
    return { text: words.join(" "), q: q + 0.5 * rng.normal() };
  };
  const rows: PairRow[] = [];
  for (const split of ["seed", "unlabelled", "validation", "test"] as const) {
    for (let i = 0; i < SIZES[split]; i++) {
      const a = response(), b = response();
      let y: 1 | -1 = a.q >= b.q ? 1 : -1;
      if (rng.next() < noise) y = -y as 1 | -1;
      const id = `${split}-${i}`;
      rows.push({
        pair_id: id,
        group_id: id,
        prompt: `question ${FILLER[rng.int(FILLER.length)]}`,
        response_a: a.text,
        response_b: b.text,
        label: split === "unlabelled" ? null : y,
        split,
        gold: split === "unlabelled" ? y : null,
        source: "world",
      });
    }
  }
  const half = Math.floor(rows.length / 2);
  return [pairBatch(rows.slice(0, half)), pairBatch(rows.slice(half))];
}

/** A `ser` config with defaults and a small model, with overrides merged per section. */
export function worldConfig(over: {
  [K in keyof SerConfig]?: Partial<SerConfig[K]> | SerConfig[K];
} = {}): SerConfig {
  const base = defaultOf({ type: "object", description: "", fields: SER_FIELDS }) as SerConfig;
  base.model = { ...base.model, buckets: 512, dim: 8, hidden: 16 };
  base.train = {
    ...base.train,
    epochs: 6,
    batch: 16,
    lr: 0.02,
    epoch_patience: 0,
    weighting: "constant",
    // The fixtures' expectations (stop reasons, selections) were set with hard self-labels.
    targets: "hard",
  };
  base.select = { ...base.select, policy: "auto", center: false, relabel: false };
  base.stop = { ...base.stop, max_iterations: 3, min_new_pairs: 5, patience: 3 };
  for (const [k, v] of Object.entries(over)) {
    // deno-lint-ignore no-explicit-any
    (base as any)[k] = typeof v === "object" ? { ...(base as any)[k], ...v } : v;
  }
  return base;
}

/** The metrics of a run before its first iteration, as `firstIteration` takes them. */
export const EMPTY_METRICS = {
  stopReason: null,
  mode: "ser" as const,
  humanLabels: 0,
  iterations: [],
  final: null,
};

/** A loop context over the world with a fresh CPU backend, or `opts.backend`, loaded. */
export async function worldContext(
  cfg: SerConfig,
  opts: {
    batches?: Batch[];
    store?: SerStore;
    seed?: number;
    signal?: AbortSignal;
    backend?: RewardBackend;
  } = {},
): Promise<LoopContext & { data: SerData; opts: LoopOptions; store: SerStore }> {
  const batches = opts.batches ?? worldBatches();
  const o = loopOptions(cfg);
  const backend = opts.backend ?? CpuBackend.create(o.model);
  await backend.load(featuresFromBatches(batches, { ...o.model, featurizer: o.featurizer }));
  return {
    data: collectPairs(batches),
    backend,
    opts: o,
    seed: opts.seed ?? 7,
    store: opts.store ?? new MemoryStore(),
    signal: opts.signal,
  };
}

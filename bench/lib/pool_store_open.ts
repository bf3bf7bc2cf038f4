/**
 * The real SER store for the end-to-end benchmark: `openPoolStore` on a DuckDB pool in a scratch
 * run directory (checkpoint files plus one pool transaction per iteration), outside a pipeline.
 * Imported only when the benchmark writes the pool, so that the GPU benchmark's import graph
 * stays free of DuckDB.
 *
 * @module
 */
import type { Batch, StageContext } from "../../src/contracts/types.ts";
import { pairBatch, type PairRow } from "../../src/data/schema.ts";
import type { FeaturizerConfig } from "../../src/model/featurizer.ts";
import type { ModelConfig } from "../../src/model/types.ts";
import type { SerData } from "../../src/ser/dataset.ts";
import { openPoolStore } from "../../src/ser/pool_store.ts";
import type { SerStore } from "../../src/ser/store.ts";
import { Rng } from "../../src/contracts/rng.ts";
import type { HeldSplit } from "../../src/data/split_assign.ts";

/**
 * Opens the pool-backed store in `runDir`.
 *
 * @param o The run directory, the rows with their splits, the model and featurizer settings.
 * @returns The store and a `close()` that closes the pool.
 * @example
 * ```ts ignore
 * const store = await openBenchPoolStore({ runDir, rows, splits, data, model, featurizer });
 * await store.close();
 * ```
 */
export async function openBenchPoolStore(o: {
  runDir: string;
  rows: readonly PairRow[];
  splits: readonly HeldSplit[];
  data: SerData;
  model: ModelConfig;
  featurizer: FeaturizerConfig;
}): Promise<SerStore & { close: () => Promise<void> }> {
  const opened: { close: () => Promise<void> | void }[] = [];
  const cache = new Map<string, unknown>();
  const ctrl = new AbortController();
  const ctx = {
    stageId: "evolve",
    runId: `bench-${Date.now()}`,
    pipeline: { name: "bench-e2e", seed: 7, dir: Deno.cwd(), config: {} },
    runDir: o.runDir,
    rng: new Rng(7),
    backend: "cpu",
    resume: false,
    signal: ctrl.signal,
    resources: {
      async get<T>(key: string, open: () => Promise<T>, close?: (v: T) => Promise<void> | void) {
        if (!cache.has(key)) {
          const v = await open();
          cache.set(key, v);
          if (close) opened.push({ close: () => close(v) });
        }
        return cache.get(key) as T;
      },
    },
  } as unknown as StageContext;
  const batches: Batch[] = [];
  const chunk = 8192;
  for (let s = 0; s < o.rows.length; s += chunk) {
    batches.push(pairBatch(
      o.rows.slice(s, s + chunk).map((r, j) => {
        const split = o.splits[s + j];
        const unl = split === "unlabelled";
        return { ...r, split, label: unl ? null : r.label, gold: unl ? r.label : null };
      }),
    ));
  }
  const owner = {
    runDir: o.runDir,
    runId: ctx.runId,
    stageId: "evolve",
    model: o.model,
    featurizer: o.featurizer,
  };
  const store = await openPoolStore(ctx, owner, o.data, batches);
  return {
    restore: () => store.restore(),
    commit: (c) => store.commit(c),
    finish: (m) => store.finish(m),
    close: async () => {
      for (const r of opened.reverse()) await r.close();
    },
  };
}

/**
 * One timed end-to-end SER run on benchmark data: serflow's own loop (`serLoop`) with its
 * default options, a backend from `openBackend`, and a store (in memory, or the DuckDB pool when
 * the caller provides one), every phase timed by `PhaseTimer`.
 *
 * @module
 */
import { lastValueFrom } from "rxjs";
import { openBackend } from "../../src/compute/open_backend.ts";
import type { Logger } from "../../src/contracts/types.ts";
import { defaultOf } from "../../src/pipeline/fields.ts";
import { type LoopOptions, loopOptions, SER_FIELDS, type SerConfig } from "../../src/ser/config.ts";
import { type SerData, SPLIT_CODES } from "../../src/ser/dataset.ts";
import { serLoop } from "../../src/ser/loop.ts";
import { MemoryStore, type SerStore } from "../../src/ser/store.ts";
import { type IterationTimes, PhaseTimer } from "./phase_timer.ts";
import type { WorldData } from "./world_data.ts";

/** How to run the loop. */
export interface SerRunOptions {
  backend: "cpu" | "webgpu";
  seed: number;
  /** Opens the store; the default keeps commits in memory (no pool write). */
  openStore?: (data: SerData) => Promise<SerStore & { close?: () => Promise<void> | void }>;
  log: Logger;
}

/** What one run measured. */
export interface SerRunResult {
  backend: string;
  device: string;
  load_s: number;
  iterations: IterationTimes[];
  /** The loop's own record of each iteration (labels selected, training set size, accuracy). */
  records: {
    iteration: number;
    selected: number;
    poolSize: number;
    testAccuracy: number | null;
    selfLabelPrecision: number | null;
  }[];
  stopReason: string | null;
  finalTestAccuracy: number | null;
  /** Test accuracy after iteration 0 (seed only). */
  seedTestAccuracy: number | null;
  total_s: number;
}

/**
 * The `ser` stage's default options, with overrides.
 *
 * @param o Most SER iterations after iteration 0, and overrides of the stage's `model`, `features`
 *   and `train` fields (snake_case, as in pipeline files).
 * @returns The loop's options.
 * @example
 * ```ts
 * import { serOptions } from "./ser_run.ts";
 * const o = serOptions({ maxIterations: 2, model: { dim: 16 } });
 * if (o.model.dim !== 16 || o.stop.maxIterations !== 2) throw new Error();
 * ```
 */
export function serOptions(o: {
  maxIterations: number;
  model?: Record<string, unknown>;
  features?: Record<string, unknown>;
  train?: Record<string, unknown>;
}): LoopOptions {
  const base = defaultOf({ type: "object", description: "", fields: SER_FIELDS }) as SerConfig;
  return loopOptions({
    ...base,
    model: { ...base.model, ...o.model },
    features: { ...base.features, ...o.features },
    train: { ...base.train, ...o.train },
    stop: { ...base.stop, max_iterations: o.maxIterations },
  });
}

/**
 * Splits benchmark data the way the `split` stage leaves it: seed, validation and test rows keep
 * their human label; unlabelled rows have none (it moves to `gold`).
 *
 * @param w The data.
 * @returns The loop's view of the rows.
 * @example
 * ```ts
 * import { serData } from "./ser_run.ts";
 * import { worldData } from "./world_data.ts";
 * const d = serData(worldData(200, 1, 1024));
 * if (d.label[d.unlabelled[0]] !== 0 || d.gold[d.unlabelled[0]] === 0) throw new Error();
 * ```
 */
export function serData(w: WorldData): SerData {
  const n = w.rows.length;
  const split = new Uint8Array(n), label = new Int8Array(n), gold = new Int8Array(n);
  const lists: Record<string, number[]> = { seed: [], unlabelled: [], validation: [], test: [] };
  w.splits.forEach((s, i) => {
    split[i] = SPLIT_CODES[s];
    if (s === "unlabelled") gold[i] = w.labels[i];
    else label[i] = w.labels[i];
    lists[s].push(i);
  });
  return {
    n,
    pairIds: w.rows.map((r) => r.pair_id),
    split,
    label,
    gold,
    seed: Uint32Array.from(lists.seed),
    unlabelled: Uint32Array.from(lists.unlabelled),
    validation: Uint32Array.from(lists.validation),
    test: Uint32Array.from(lists.test),
  };
}

/**
 * Runs SER on `w` and times every phase.
 *
 * @param w Generated, split data, featurized with `opts.featurizer`.
 * @param opts The loop's options (`serOptions`).
 * @param o Backend, seed, store.
 * @returns Per-iteration timings and the outcome.
 * @example
 * ```ts ignore
 * const opts = serOptions({ maxIterations: 3 });
 * const r = await runSer(worldData(10000, 7, opts.featurizer), opts, { backend: "cpu", seed: 7, log });
 * ```
 */
export async function runSer(
  w: WorldData,
  opts: LoopOptions,
  o: SerRunOptions,
): Promise<SerRunResult> {
  const data = serData(w);
  const timer = new PhaseTimer();
  const t0 = performance.now();
  const raw = await openBackend(o.backend, opts.model, o.log);
  const store = o.openStore ? await o.openStore(data) : new MemoryStore();
  try {
    await raw.load(w.features);
    const load = (performance.now() - t0) / 1e3;
    const ctx = {
      data,
      backend: timer.backend(raw),
      opts,
      seed: o.seed,
      store: timer.store(store),
      log: o.log,
      onPhase: timer.onPhase,
    };
    const last = await lastValueFrom(serLoop(ctx));
    const iterations = timer.finish();
    const m = last.state.metrics;
    return {
      backend: raw.kind,
      device: raw.deviceName,
      load_s: load,
      iterations,
      records: m.iterations.map((r) => ({
        iteration: r.iteration,
        selected: r.selected,
        poolSize: r.poolSize,
        testAccuracy: r.testAccuracy,
        selfLabelPrecision: r.selfLabelPrecision,
      })),
      stopReason: m.stopReason,
      finalTestAccuracy: m.final?.testAccuracy ?? null,
      seedTestAccuracy: m.iterations[0]?.testAccuracy ?? null,
      total_s: (performance.now() - t0) / 1e3,
    };
  } finally {
    raw.destroy();
    await (store as { close?: () => Promise<void> | void }).close?.();
  }
}

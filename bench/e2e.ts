/**
 * The end-to-end benchmark: SER on the synthetic world with the shipped `ser-synthetic`
 * pipeline's model and training settings, every phase timed (generate, featurize, split, load,
 * then per iteration score, select, train, evaluate, parameter readback, pool write), with
 * pairs/s, peak resident memory and the final test accuracy. Each (size, backend) runs in its own
 * process so that peak memory belongs to that size alone.
 *
 * Usage: `deno run -A bench/e2e.ts [--sizes 10000,100000] [--backends cpu,webgpu]
 * [--retrain scratch,incremental] [--iterations 4] [--no-pool] [--out FILE]`
 *
 * `--retrain` lists the `train.retrain` modes to run; they alternate within each (size, backend),
 * so that both see the same machine load.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { FeaturizerConfig } from "../src/model/featurizer.ts";
import type { ModelConfig } from "../src/model/types.ts";
import type { SerData } from "../src/ser/dataset.ts";
import type { SerStore } from "../src/ser/store.ts";
import type { PairRow } from "../src/data/schema.ts";
import type { HeldSplit } from "../src/data/split_assign.ts";
import { createLogger } from "../src/util/log.ts";
import { peakRssBytes } from "./lib/machine.ts";
import { runSer, serOptions, type SerRunResult } from "./lib/ser_run.ts";
import { denoRun, runChild, tail } from "./lib/subprocess.ts";
import { worldData } from "./lib/world_data.ts";

/** The shipped `pipelines/ser-synthetic.yaml` settings of the `evolve` stage. */
export const E2E_MODEL = { buckets: 262144, dim: 64, hidden: 128 };
export const E2E_TRAIN = { epochs: 3, batch: 1024, lr: 0.01 };

/** How iterations after the first train (`train.retrain`). */
export type Retrain = "scratch" | "incremental";

/** One (size, backend) end-to-end run. */
export interface E2eResult extends SerRunResult {
  pairs: number;
  /** `train.retrain` (absent in results written before the option: scratch). */
  retrain: Retrain;
  pool: boolean;
  data: { generate_s: number; featurize_s: number; split_s: number; featurize_pairs_per_s: number };
  totals: Record<
    "score_s" | "select_s" | "train_s" | "evaluate_s" | "params_readback_s" | "pool_write_s",
    number
  >;
  rates: { score_pairs_per_s: number; train_examples_per_s: number };
  peak_rss_mib: number;
}

/** Opens the pool store; loaded by URL so DuckDB never enters this module's static graph. */
type OpenPool = (o: {
  runDir: string;
  rows: readonly PairRow[];
  splits: readonly HeldSplit[];
  data: SerData;
  model: ModelConfig;
  featurizer: FeaturizerConfig;
}) => Promise<SerStore & { close: () => Promise<void> }>;

/**
 * Runs one end-to-end measurement in this process.
 *
 * @param o Pairs, backend, iterations, whether to write the DuckDB pool, and the seed.
 * @returns The measurement.
 * @example
 * ```ts ignore
 * const r = await runE2eOnce({ pairs: 10000, backend: "cpu", iterations: 4, pool: true, seed: 7 });
 * ```
 */
export async function runE2eOnce(o: {
  pairs: number;
  backend: "cpu" | "webgpu";
  iterations: number;
  pool: boolean;
  seed: number;
  retrain?: Retrain;
}): Promise<E2eResult> {
  const retrain = o.retrain ?? "scratch";
  const opts = serOptions({
    maxIterations: o.iterations,
    model: E2E_MODEL,
    train: { ...E2E_TRAIN, retrain },
  });
  const w = worldData(o.pairs, o.seed, opts.featurizer);
  const log = createLogger({ quiet: true });
  let runDir: string | null = null;
  let openStore: ((d: SerData) => Promise<SerStore & { close: () => Promise<void> }>) | undefined;
  if (o.pool) {
    runDir = await Deno.makeTempDir({ prefix: "serflow-bench-e2e-" });
    const url = new URL("./lib/pool_store_open.ts", import.meta.url).href;
    const mod = await import(url) as { openBenchPoolStore: OpenPool };
    openStore = (data) =>
      mod.openBenchPoolStore({
        runDir: runDir!,
        rows: w.rows,
        splits: w.splits,
        data,
        model: opts.model,
        featurizer: opts.featurizer,
      });
  }
  try {
    const r = await runSer(w, opts, { backend: o.backend, seed: o.seed, openStore, log });
    const sum = (k: keyof E2eResult["totals"]) => r.iterations.reduce((s, it) => s + it[k], 0);
    const totals = {
      score_s: sum("score_s"),
      select_s: sum("select_s"),
      train_s: sum("train_s"),
      evaluate_s: sum("evaluate_s"),
      params_readback_s: sum("params_readback_s"),
      pool_write_s: sum("pool_write_s"),
    };
    const scored = r.iterations.reduce((s, it) => s + it.scored, 0);
    const trained = r.iterations.reduce((s, it) => s + it.trained_examples, 0);
    return {
      ...r,
      pairs: o.pairs,
      retrain,
      pool: o.pool,
      data: {
        generate_s: w.seconds.generate,
        featurize_s: w.seconds.featurize,
        split_s: w.seconds.split,
        featurize_pairs_per_s: o.pairs / w.seconds.featurize,
      },
      totals,
      rates: {
        score_pairs_per_s: scored / totals.score_s,
        train_examples_per_s: trained / totals.train_s,
      },
      peak_rss_mib: peakRssBytes() / 2 ** 20,
    };
  } finally {
    if (runDir) await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs every (size, backend, retrain mode) in its own child process, in order (the retrain modes
 * alternate within a size and backend), and collects the results.
 *
 * @param o Sizes, backends, retrain modes (default scratch), iterations, pool, seed, per-run time
 *   limit and a progress callback.
 * @returns Results, and the error of each run that failed.
 * @example
 * ```ts ignore
 * const { results } = await runE2e({ sizes: [10000], backends: ["cpu"], iterations: 2, pool: false, seed: 7 });
 * ```
 */
export async function runE2e(o: {
  sizes: number[];
  backends: ("cpu" | "webgpu")[];
  retrains?: Retrain[];
  iterations: number;
  pool: boolean;
  seed: number;
  timeoutS?: number;
  onRun?: (pairs: number, backend: string, r: E2eResult | string, retrain: Retrain) => void;
}): Promise<
  {
    results: E2eResult[];
    failures: { pairs: number; backend: string; retrain: Retrain; error: string }[];
  }
> {
  const results: E2eResult[] = [],
    failures: { pairs: number; backend: string; retrain: Retrain; error: string }[] = [];
  for (const pairs of o.sizes) {
    for (const backend of o.backends) {
      for (const retrain of o.retrains ?? ["scratch"]) {
        const [cmd, args] = denoRun(new URL(import.meta.url).pathname, [
          "--one",
          "--sizes",
          String(pairs),
          "--backends",
          backend,
          "--iterations",
          String(o.iterations),
          "--seed",
          String(o.seed),
          "--retrain",
          retrain,
          ...(o.pool ? [] : ["--no-pool"]),
        ]);
        const out = await runChild(cmd, args, { timeoutS: o.timeoutS ?? 3600 });
        const line = out.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
        if (out.code === 0 && line) {
          const r = JSON.parse(line) as E2eResult;
          results.push(r);
          o.onRun?.(pairs, backend, r, retrain);
        } else {
          const error = out.timedOut
            ? `timed out after ${o.timeoutS ?? 3600} s`
            : `exit ${out.code}: ${tail(out.stderr, 5)}`;
          failures.push({ pairs, backend, retrain, error });
          o.onRun?.(pairs, backend, error, retrain);
        }
      }
    }
  }
  return { results, failures };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "10000,100000" },
      backends: { type: "string", default: "cpu,webgpu" },
      retrain: { type: "string", default: "scratch" },
      iterations: { type: "string", default: "4" },
      seed: { type: "string", default: "7" },
      "no-pool": { type: "boolean", default: false },
      one: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const sizes = values.sizes!.split(",").map(Number);
  const backends = values.backends!.split(",") as ("cpu" | "webgpu")[];
  const retrains = values.retrain!.split(",") as Retrain[];
  for (const m of retrains) {
    if (m !== "scratch" && m !== "incremental") {
      throw new Error(`--retrain must list scratch or incremental: current value is ${m}`);
    }
  }
  const common = {
    iterations: Number(values.iterations),
    pool: !values["no-pool"],
    seed: Number(values.seed),
  };
  if (values.one) {
    console.log(
      JSON.stringify(
        await runE2eOnce({
          pairs: sizes[0],
          backend: backends[0],
          retrain: retrains[0],
          ...common,
        }),
      ),
    );
  } else {
    const r = await runE2e({
      sizes,
      backends,
      retrains,
      ...common,
      onRun: (n, b, x, m) =>
        console.error(
          typeof x === "string"
            ? `e2e ${n} ${b} ${m}: FAILED ${x}`
            : `e2e ${n} ${b} ${m}: ${x.total_s.toFixed(1)} s`,
        ),
    });
    const text = JSON.stringify(r, null, 2) + "\n";
    if (values.out) await Deno.writeTextFile(values.out, text);
    else console.log(text);
  }
}

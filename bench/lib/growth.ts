/**
 * Cost growth: scoring and training time from 1k pairs up (each point in a fresh process, so it
 * also gives peak memory against dataset size), against `buckets` and `dim` at a fixed size, and
 * pool write/query time against pool size. Sizes grow until a point would exceed the time budget:
 * nothing is extrapolated.
 *
 * @module
 */
import { growthExponent } from "./stats.ts";
import type { GrowthPoint } from "./growth_child.ts";
import { writeNpy } from "./npy.ts";
import { denoRun, runChild, tail } from "./subprocess.ts";
import { featurizeRows, syntheticRows } from "./world_data.ts";

/** One pool size's timings (measured by `pool_growth.ts`). */
export interface PoolPoint {
  n: number;
  write_s: number;
  current_labels_s: number;
  sql_s: number;
  file_mib: number;
}

/** What to measure. */
export interface GrowthOptions {
  /** Pair counts for the size series (ascending). */
  sizes: number[];
  backends: ("cpu" | "webgpu")[];
  /** A point is skipped when the previous one, scaled linearly, predicts more than this. */
  maxPointS: number;
  /** Size of the buckets and dim series, and the lists to sweep. */
  fixedN: number;
  buckets: number[];
  dims: number[];
  poolSizes: number[];
  /** Pairs generated and featurized once (tiled beyond). */
  basePairs: number;
  seed: number;
  onPoint?: (what: string, p: unknown) => void;
}

/** The measurements and fitted growth exponents (1 = linear). */
export interface GrowthReport {
  basePairs: number;
  pairs: Record<string, GrowthPoint[]>;
  buckets: GrowthPoint[];
  dim: GrowthPoint[];
  pool: PoolPoint[];
  exponents: Record<string, number>;
  /** Points not measured and why. */
  skipped: string[];
}

const CHILD = new URL("./growth_child.ts", import.meta.url).pathname;

async function point(
  cache: string,
  n: number,
  backend: string,
  extra: string[],
): Promise<GrowthPoint | string> {
  const [cmd, args] = denoRun(CHILD, [
    "--cache",
    cache,
    "--n",
    String(n),
    "--backend",
    backend,
    ...extra,
  ]);
  const out = await runChild(cmd, args, { timeoutS: 1800 });
  const line = out.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  if (out.code !== 0 || !line) return `exit ${out.code}: ${tail(out.stderr, 3)}`;
  return JSON.parse(line) as GrowthPoint;
}

/**
 * Runs the growth measurements.
 *
 * @param o What to measure.
 * @returns The report.
 * @example
 * ```ts ignore
 * const g = await runGrowth({ sizes: [1000, 10000], backends: ["cpu"], maxPointS: 60, fixedN: 5000,
 *   buckets: [16384, 262144], dims: [32, 64], poolSizes: [1000, 10000], basePairs: 5000, seed: 7 });
 * ```
 */
export async function runGrowth(o: GrowthOptions): Promise<GrowthReport> {
  const cache = await Deno.makeTempDir({ prefix: "serflow-bench-growth-" });
  const skipped: string[] = [];
  try {
    const rows = syntheticRows(o.basePairs, o.seed);
    const f = featurizeRows(rows, 2 ** 20);
    for (
      const [k, a] of Object.entries({
        prompt_offsets: f.promptOffsets,
        prompt_ids: f.promptIds,
        a_offsets: f.aOffsets,
        a_ids: f.aIds,
        b_offsets: f.bOffsets,
        b_ids: f.bIds,
      })
    ) await writeNpy(`${cache}/${k}.npy`, a);

    const pairs: Record<string, GrowthPoint[]> = {};
    for (const backend of o.backends) {
      pairs[backend] = [];
      let train = true;
      let prev: GrowthPoint | null = null;
      for (const n of o.sizes) {
        const scale = prev ? n / prev.n : 1;
        if (prev && (prev.score_s + prev.load_s) * scale > o.maxPointS) {
          skipped.push(`${backend} n=${n}: scoring predicted above ${o.maxPointS} s`);
          break;
        }
        if (train && prev && (prev.train_s ?? 0) * scale > o.maxPointS) {
          skipped.push(`${backend} n>=${n} training: predicted above ${o.maxPointS} s`);
          train = false;
        }
        const p = await point(cache, n, backend, train ? ["--train"] : []);
        o.onPoint?.(`pairs ${backend} ${n}`, p);
        if (typeof p === "string") {
          skipped.push(`${backend} n=${n}: ${p}`);
          break;
        }
        pairs[backend].push(p);
        prev = p;
      }
    }
    const sweep = async (key: "buckets" | "dim", values: number[]) => {
      const out: GrowthPoint[] = [];
      for (const v of values) {
        const p = await point(cache, o.fixedN, o.backends[0], ["--train", `--${key}`, String(v)]);
        o.onPoint?.(`${key} ${v}`, p);
        if (typeof p === "string") skipped.push(`${key}=${v}: ${p}`);
        else out.push(p);
      }
      return out;
    };
    const buckets = await sweep("buckets", o.buckets);
    const dim = await sweep("dim", o.dims);

    const pool: PoolPoint[] = [];
    if (o.poolSizes.length) {
      const url = new URL("./pool_growth.ts", import.meta.url).href;
      const mod = await import(url) as {
        poolPoint: (r: typeof rows, n: number) => Promise<PoolPoint>;
      };
      for (const n of o.poolSizes) {
        try {
          const p = await mod.poolPoint(rows, n);
          pool.push(p);
          o.onPoint?.(`pool ${n}`, p);
        } catch (e) {
          skipped.push(`pool n=${n}: ${e instanceof Error ? e.message : e}`);
        }
      }
    }

    const exponents: Record<string, number> = {};
    for (const [b, ps] of Object.entries(pairs)) {
      exponents[`score_vs_pairs_${b}`] = growthExponent(
        ps.map((p) => p.n),
        ps.map((p) => p.score_s),
      );
      const tr = ps.filter((p) => p.train_s !== null);
      exponents[`train_vs_pairs_${b}`] = growthExponent(
        tr.map((p) => p.n),
        tr.map((p) => p.train_s!),
      );
      exponents[`rss_vs_pairs_${b}`] = growthExponent(
        ps.map((p) => p.n),
        ps.map((p) => p.peak_rss_mib),
      );
    }
    exponents.train_vs_buckets = growthExponent(
      buckets.map((p) => p.buckets),
      buckets.map((p) => p.train_s!),
    );
    exponents.score_vs_buckets = growthExponent(
      buckets.map((p) => p.buckets),
      buckets.map((p) => p.score_s),
    );
    exponents.train_vs_dim = growthExponent(dim.map((p) => p.dim), dim.map((p) => p.train_s!));
    exponents.score_vs_dim = growthExponent(dim.map((p) => p.dim), dim.map((p) => p.score_s));
    exponents.pool_write_vs_size = growthExponent(pool.map((p) => p.n), pool.map((p) => p.write_s));
    exponents.pool_read_vs_size = growthExponent(
      pool.map((p) => p.n),
      pool.map((p) => p.current_labels_s),
    );
    return { basePairs: o.basePairs, pairs, buckets, dim, pool, exponents, skipped };
  } finally {
    await Deno.remove(cache, { recursive: true }).catch(() => {});
  }
}

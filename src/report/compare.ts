/**
 * The `compare` summary: seed-only vs SER vs all-labels over several seeds (`compare.json` and
 * the printed table).
 *
 * @module
 */

/** The methods `compare` runs, in table order. */
export const COMPARE_METHODS = ["seed-only", "ser", "all-labels"] as const;

/** A method `compare` runs. */
export type CompareMethod = typeof COMPARE_METHODS[number];

/** One run of one method on one seed. */
export interface CompareRun {
  seed: number;
  method: CompareMethod;
  testAccuracy: number;
  /** Human labels used for training. */
  labels: number;
  /** Self-labels in the kept model's training set. */
  selfLabels: number;
  stopReason: string;
  runDir: string;
}

/** Test accuracy of one method over the seeds. */
export interface MethodSummary {
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
  /** Human labels used (mean over seeds). */
  labels: number;
  /** Self-labels used by the kept model (mean over seeds). */
  selfLabels: number;
  /** Test accuracy per seed, in seed order. */
  runs: number[];
}

/** What `compare.json` holds. */
export interface CompareResult {
  pipeline: string;
  seeds: number[];
  methods: Record<CompareMethod, MethodSummary>;
  /** `(ser - seed-only) / (all-labels - seed-only)` of the means (null when the gap is 0). */
  gapClosed: number | null;
  /** Per-seed `ser - seed-only` test accuracy: mean and sample std. */
  diff: { mean: number; std: number; runs: number[] };
  runs: CompareRun[];
}

/**
 * @param xs Values.
 * @returns Mean and sample standard deviation (0 for fewer than two values).
 * @example
 * ```ts
 * import { meanStd } from "./compare.ts";
 * const { mean, std } = meanStd([1, 2, 3]);
 * if (mean !== 2 || std !== 1) throw new Error();
 * ```
 */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v) };
}

/**
 * Summarizes the runs of every method over every seed.
 *
 * @param pipeline The pipeline name.
 * @param seeds The seeds, in order.
 * @param runs One run per (seed, method).
 * @returns The summary written to `compare.json`.
 * @throws {RangeError} When a (seed, method) run is missing.
 */
export function summarizeCompare(
  pipeline: string,
  seeds: readonly number[],
  runs: readonly CompareRun[],
): CompareResult {
  const get = (seed: number, method: CompareMethod) => {
    const r = runs.find((x) => x.seed === seed && x.method === method);
    if (!r) {
      throw new RangeError(
        `Cannot summarize compare as the ${method} run of seed ${seed} is missing`,
      );
    }
    return r;
  };
  const methods = {} as Record<CompareMethod, MethodSummary>;
  for (const m of COMPARE_METHODS) {
    const rs = seeds.map((s) => get(s, m));
    const acc = rs.map((r) => r.testAccuracy);
    methods[m] = {
      ...meanStd(acc),
      labels: meanStd(rs.map((r) => r.labels)).mean,
      selfLabels: meanStd(rs.map((r) => r.selfLabels)).mean,
      runs: acc,
    };
  }
  const diffs = seeds.map((s) => get(s, "ser").testAccuracy - get(s, "seed-only").testAccuracy);
  const gap = methods["all-labels"].mean - methods["seed-only"].mean;
  return {
    pipeline,
    seeds: [...seeds],
    methods,
    gapClosed: gap === 0 ? null : (methods.ser.mean - methods["seed-only"].mean) / gap,
    diff: { ...meanStd(diffs), runs: diffs },
    runs: [...runs],
  };
}

const pts = (v: number) => (v * 100).toFixed(2);

/**
 * The table `compare` prints (plain text, aligned columns).
 *
 * @param r The summary.
 * @returns The table and the SER verdict lines.
 */
export function formatCompareTable(r: CompareResult): string {
  const head = ["method", "test accuracy", "std", "human labels", "self-labels", "per seed"];
  const rows = COMPARE_METHODS.map((m) => {
    const s = r.methods[m];
    return [
      m,
      `${pts(s.mean)}%`,
      pts(s.std),
      String(Math.round(s.labels)),
      String(Math.round(s.selfLabels)),
      s.runs.map((x) => pts(x)).join(" "),
    ];
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ")
      .trimEnd();
  const sign = r.diff.mean >= 0 ? "+" : "";
  return [
    `${r.pipeline}: ${r.seeds.length} seed${r.seeds.length === 1 ? "" : "s"} (${
      r.seeds.join(", ")
    })`,
    line(head),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `SER - seed-only: ${sign}${pts(r.diff.mean)} pts (std over seeds ${pts(r.diff.std)})`,
    `gap closed (seed-only -> all-labels): ${
      r.gapClosed === null ? "n/a (no gap)" : `${(r.gapClosed * 100).toFixed(1)}%`
    }`,
  ].join("\n");
}

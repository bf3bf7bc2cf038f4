/**
 * The `compare` summary: several training methods (seed-only, SER and its variants, all-labels)
 * over several seeds (`compare.json` and the printed table).
 *
 * @module
 */

/** The methods `compare` runs by default, in table order. */
export const COMPARE_METHODS = ["seed-only", "ser", "all-labels"] as const;

/**
 * A method `compare` runs: `seed-only`, `ser`, `all-labels`, or one of them with presets
 * (`ser:committee`, `ser:soft+precision`, `all-labels:auto`; see `src/cli/compare_methods.ts`).
 */
export type CompareMethod = string;

/** One run of one method on one seed. */
export interface CompareRun {
  seed: number;
  method: CompareMethod;
  testAccuracy: number;
  /** Validation accuracy of the kept model (null when there is no validation split). */
  validationAccuracy?: number | null;
  /** Test ECE of the kept model, raw and after temperature scaling on validation. */
  ece?: number | null;
  calibratedEce?: number | null;
  /** Human labels used for training. */
  labels: number;
  /** Self-labels in the kept model's training set. */
  selfLabels: number;
  stopReason: string;
  runDir: string;
  /** Wall time of the run in seconds. */
  seconds?: number;
  /** The headroom check's prediction, when the run made one. */
  headroom?: { predictedGain: number; predictedAllLabels: number; seconds: number };
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
  /** Per-seed difference to `seed-only` (when it ran): mean, sample std, per seed. */
  vsSeedOnly?: { mean: number; std: number; runs: number[] };
  /** Share of the seed-only -> all-labels gap this method closes (null: gap undefined). */
  gapClosed?: number | null;
  /** Mean calibrated test ECE (null when no run reported one). */
  calibratedEce?: number | null;
  /** Mean raw test ECE. */
  ece?: number | null;
  /** Mean wall time per run, seconds. */
  seconds?: number;
}

/** What `compare.json` holds. */
export interface CompareResult {
  pipeline: string;
  seeds: number[];
  /** The methods in table order. */
  order: CompareMethod[];
  methods: Record<CompareMethod, MethodSummary>;
  /**
   * `all-labels - seed-only` of the means when both ran and all-labels is above seed-only; null
   * otherwise (then no gap-closed figure is defined).
   */
  gap: number | null;
  /** `(ser - seed-only) / gap` for the `ser` method (null when the gap is undefined). */
  gapClosed: number | null;
  /** The methods the gap and differences are measured with. */
  references: { seedOnly: string | null; allLabels: string | null; ser: string | null };
  /** Per-seed `ser - seed-only` test accuracy: mean and sample std. */
  diff: { mean: number; std: number; runs: number[] };
  /** Seeds on which all-labels is worse than seed-only on validation (more labels hurt). */
  moreLabelsWorse: number[];
  /**
   * The headroom check against the measured gap, when a method ran it: the predicted gain of all
   * labels over the seed (mean and per seed), the measured `all-labels - seed-only` per seed, and
   * the check's mean wall time.
   */
  headroom?: {
    method: CompareMethod;
    predicted: { mean: number; runs: number[] };
    measured: { mean: number; runs: number[] } | null;
    seconds: number;
  };
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

const _meanOf = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return v.length === 0 ? null : meanStd(v).mean;
};

/**
 * Summarizes the runs of every method over every seed.
 *
 * @param pipeline The pipeline name.
 * @param seeds The seeds, in order.
 * @param runs One run per (seed, method).
 * @param order The methods in table order (default `COMPARE_METHODS`).
 * @returns The summary written to `compare.json`.
 * @throws {RangeError} When a (seed, method) run is missing.
 */
export function summarizeCompare(
  pipeline: string,
  seeds: readonly number[],
  runs: readonly CompareRun[],
  order: readonly CompareMethod[] = COMPARE_METHODS,
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
  // The references: the first method of mode seed-only and of mode all-labels (with or without
  // presets, e.g. `seed-only:headroom`).
  const seedRef = order.find((m) => m.split(":")[0] === "seed-only");
  const allRef = order.find((m) => m.split(":")[0] === "all-labels");
  const hasSeed = seedRef !== undefined, hasAll = allRef !== undefined;
  const methods: Record<CompareMethod, MethodSummary> = {};
  for (const m of order) {
    const rs = seeds.map((s) => get(s, m));
    const acc = rs.map((r) => r.testAccuracy);
    methods[m] = {
      ...meanStd(acc),
      labels: meanStd(rs.map((r) => r.labels)).mean,
      selfLabels: meanStd(rs.map((r) => r.selfLabels)).mean,
      runs: acc,
      ece: _meanOf(rs.map((r) => r.ece)),
      calibratedEce: _meanOf(rs.map((r) => r.calibratedEce)),
      seconds: _meanOf(rs.map((r) => r.seconds)) ?? undefined,
    };
    if (hasSeed) {
      const d = seeds.map((s) => get(s, m).testAccuracy - get(s, seedRef!).testAccuracy);
      methods[m].vsSeedOnly = { ...meanStd(d), runs: d };
    }
  }
  const rawGap = hasSeed && hasAll ? methods[allRef!].mean - methods[seedRef!].mean : null;
  const gap = rawGap !== null && rawGap > 0 ? rawGap : null;
  for (const m of order) {
    methods[m].gapClosed = gap === null ? null : (methods[m].mean - methods[seedRef!].mean) / gap;
  }
  const serRef = order.includes("ser") ? "ser" : order.find((m) => m.split(":")[0] === "ser");
  const ser = (serRef ? methods[serRef].vsSeedOnly : undefined) ??
    { mean: NaN, std: NaN, runs: [] };
  const worse = hasSeed && hasAll
    ? seeds.filter((s) => {
      const a = get(s, allRef!).validationAccuracy, b = get(s, seedRef!).validationAccuracy;
      return typeof a === "number" && typeof b === "number" && a < b;
    })
    : [];
  const hm = order.find((m) => seeds.every((s) => get(s, m).headroom));
  const headroom = hm === undefined ? undefined : {
    method: hm,
    predicted: {
      mean: meanStd(seeds.map((s) => get(s, hm).headroom!.predictedGain)).mean,
      runs: seeds.map((s) => get(s, hm).headroom!.predictedGain),
    },
    measured: hasSeed && hasAll
      ? {
        mean: methods[allRef!].mean - methods[seedRef!].mean,
        runs: seeds.map((s) => get(s, allRef!).testAccuracy - get(s, seedRef!).testAccuracy),
      }
      : null,
    seconds: meanStd(seeds.map((s) => get(s, hm).headroom!.seconds)).mean,
  };
  return {
    pipeline,
    seeds: [...seeds],
    order: [...order],
    ...(headroom ? { headroom } : {}),
    methods,
    gap,
    gapClosed: serRef ? methods[serRef].gapClosed ?? null : null,
    references: { seedOnly: seedRef ?? null, allLabels: allRef ?? null, ser: serRef ?? null },
    diff: ser,
    moreLabelsWorse: worse,
    runs: [...runs],
  };
}

const pts = (v: number) => (v * 100).toFixed(2);
const signed = (v: number) => `${v >= 0 ? "+" : ""}${pts(v)}`;

/**
 * The table `compare` prints (plain text, aligned columns).
 *
 * @param r The summary.
 * @returns The table and the verdict lines.
 */
export function formatCompareTable(r: CompareResult): string {
  const head = [
    "method",
    "test accuracy",
    "std",
    "vs seed-only",
    "gap closed",
    "human labels",
    "self-labels",
    "ECE cal/raw",
    "s/run",
    "per seed",
  ];
  const rows = r.order.map((m) => {
    const s = r.methods[m];
    const ece = s.calibratedEce == null || s.ece == null
      ? "n/a"
      : `${pts(s.calibratedEce)}/${pts(s.ece)}`;
    return [
      m,
      `${pts(s.mean)}%`,
      pts(s.std),
      s.vsSeedOnly ? signed(s.vsSeedOnly.mean) : "n/a",
      s.gapClosed == null ? "n/a" : `${(s.gapClosed * 100).toFixed(1)}%`,
      String(Math.round(s.labels)),
      String(Math.round(s.selfLabels)),
      ece,
      s.seconds === undefined ? "n/a" : s.seconds.toFixed(1),
      s.runs.map((x) => pts(x)).join(" "),
    ];
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const last = head.length - 1;
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === last ? c.padEnd(width[i]) : c.padStart(width[i])))
      .join("  ").trimEnd();
  const out = [
    `${r.pipeline}: ${r.seeds.length} seed${r.seeds.length === 1 ? "" : "s"} (${
      r.seeds.join(", ")
    })`,
    line(head),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ];
  const { seedOnly, allLabels, ser } = r.references;
  if (ser && r.methods[ser].vsSeedOnly) {
    out.push(
      `${ser === "ser" ? "SER" : ser} - ${seedOnly}: ${signed(r.diff.mean)} pts (std over seeds ${
        pts(r.diff.std)
      })`,
    );
  }
  if (seedOnly && allLabels && r.gap === null) {
    out.push(
      `gap closed (seed-only -> all-labels): undefined, as all-labels (${
        pts(r.methods[allLabels].mean)
      }%) is not above seed-only (${pts(r.methods[seedOnly].mean)}%): more labels did not ` +
        `help, so check the training settings (train.epoch_patience, train.weight_decay, ` +
        `train.lr, or train.auto: true) before reading SER's effect`,
    );
  } else if (seedOnly && allLabels && ser) {
    out.push(`gap closed (seed-only -> all-labels): ${(r.gapClosed! * 100).toFixed(1)}%`);
  }
  if (r.headroom) {
    const h = r.headroom;
    out.push(
      `headroom (${h.method}, ${h.seconds.toFixed(1)} s): predicted all-labels gain ${
        signed(h.predicted.mean)
      } pts (per seed ${h.predicted.runs.map(signed).join(" ")})` +
        (h.measured
          ? `; measured ${signed(h.measured.mean)} (per seed ${
            h.measured.runs.map(signed).join(" ")
          })`
          : ""),
    );
  }
  if (r.moreLabelsWorse.length > 0) {
    out.push(
      `warning: all-labels is worse than seed-only on validation for seed${
        r.moreLabelsWorse.length === 1 ? "" : "s"
      } ${
        r.moreLabelsWorse.join(", ")
      }: more labels made the model worse; check the training settings`,
    );
  }
  return out.join("\n");
}

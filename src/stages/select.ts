/**
 * `select`: one self-labelling pass over scored pairs (columns `reward_a`, `reward_b`): keeps the
 * pairs a selection policy is confident about and labels them with the side the model prefers.
 *
 * @module
 */
import { concatMap, type Observable, toArray } from "rxjs";
import { Bool, Float32, Int8, Utf8, vectorFromArray } from "apache-arrow";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows, withColumns } from "../data/schema.ts";
import { fitTemperature } from "../ser/calibrate.ts";
import { applyPolicy, SELECT_POLICIES, type SelectPolicy } from "../ser/policy.ts";

const unit = (d: number, description: string) => ({
  type: "number" as const,
  min: 0,
  max: 1,
  default: d,
  description,
});

/** The `select` stage's spec. */
export const spec: StageSpec = {
  name: "select",
  summary: "Self-labels the scored pairs a selection policy is confident about.",
  description: "Collects every scored batch (`reward_a`, `reward_b` columns, e.g. from `score`), " +
    "applies the policy to the candidate rows once, and emits the kept rows with `label` set to " +
    "the model's preferred side (1: a, -1: b) and the columns `origin` ('self'), `rule` " +
    "(status1, status2 or top_k), `margin` (|r_a - r_b|), `swapped` (the model preferred b), " +
    "`p_a` and `p_b` (sigmoid(r / T)). `auto` tries status 1 (pointwise) and falls back to " +
    "status 2 (pairwise) when status 1 keeps fewer than `min_new_pairs`. `calibrated` fits the " +
    "temperature T on the labelled `validation` rows of the input and then applies `either`.",
  fields: {
    policy: {
      type: "enum",
      values: SELECT_POLICIES,
      default: "either",
      description: "auto, either (the reference rule), pointwise, pairwise, top_k, calibrated.",
    },
    tau_high: unit(0.55, "Status 1: the preferred response's p must exceed this."),
    tau_low: unit(0.45, "Status 1: the other response's p must be below this."),
    delta: unit(0.3, "Status 2: |p_a - p_b| must exceed this."),
    k: { type: "integer", min: 1, default: 1000, description: "top_k: how many pairs to keep." },
    min_new_pairs: {
      type: "integer",
      min: 1,
      default: 20,
      description: "auto: status 1 must keep at least this many pairs, else status 2 is used.",
    },
    temperature: {
      type: "number",
      exclusiveMin: 0,
      default: 1,
      description: "Rewards are divided by T before the sigmoid (ignored by `calibrated`).",
    },
    candidates: {
      type: "enum",
      values: ["unlabelled", "all"],
      default: "unlabelled",
      description: "unlabelled: only rows whose label is null; all: every row.",
    },
  },
  examples: [
    { title: "The reference rule", yaml: "use: select\nwith: { policy: either }" },
    { title: "The 500 most confident pairs", yaml: "use: select\nwith: { policy: top_k, k: 500 }" },
  ],
};

/** Config of `select`. */
export interface SelectConfig {
  policy: SelectPolicy;
  tau_high: number;
  tau_low: number;
  delta: number;
  k: number;
  min_new_pairs: number;
  temperature: number;
  candidates: "unlabelled" | "all";
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that emits the self-labelled rows, batch by input batch.
 */
export function operator(cfg: SelectConfig, ctx: StageContext) {
  // A barrier: it needs every row before it can emit any.
  return (source: Observable<Batch>) =>
    source.pipe(toArray(), concatMap((held) => _select(held, cfg, ctx)));
}

function _select(batches: Batch[], cfg: SelectConfig, ctx: StageContext): Batch[] {
  const where: [number, number][] = [];
  const ra: number[] = [],
    rb: number[] = [],
    va: number[] = [],
    vb: number[] = [],
    vy: number[] = [];
  batches.forEach((b, k) => {
    const a = b.getChild("reward_a"), r = b.getChild("reward_b");
    if (!a || !r) {
      throw new TypeError(
        `Cannot select pairs in stage '${ctx.stageId}' as batch ${k} has no 'reward_a'/'reward_b' ` +
          `columns: put a 'score' stage before it`,
      );
    }
    const label = b.getChild("label"), split = b.getChild("split");
    for (let i = 0; i < b.numRows; i++) {
      const y = label?.get(i) ?? null;
      if (cfg.candidates === "all" || y === null) {
        where.push([k, i]);
        ra.push(a.get(i));
        rb.push(r.get(i));
      }
      if (y !== null && split?.get(i) === "validation") {
        va.push(a.get(i)), vb.push(r.get(i)), vy.push(y);
      }
    }
  });
  const temperature = cfg.policy === "calibrated" ? fitTemperature(va, vb, vy) : cfg.temperature;
  const out = applyPolicy(cfg.policy, 1, ra, rb, {
    tauHigh: cfg.tau_high,
    tauLow: cfg.tau_low,
    delta: cfg.delta,
    k: cfg.k,
    temperature,
    minNewPairs: cfg.min_new_pairs,
  });
  const s = out.selection;
  ctx.log.info(`selected ${s.positions.length} of ${ra.length} pairs`, {
    status: out.status,
    temperature: +temperature.toFixed(4),
  });
  const perBatch: number[][] = batches.map(() => []);
  for (let j = 0; j < s.positions.length; j++) perBatch[where[s.positions[j]][0]].push(j);
  const result: Batch[] = [];
  perBatch.forEach((js, k) => {
    if (js.length === 0) return;
    const rows = takeRows(batches[k], js.map((j) => where[s.positions[j]][1]));
    const col = <T>(f: (j: number) => T) => js.map(f);
    result.push(withColumns(rows, {
      label: vectorFromArray(col((j) => s.labels[j]), new Int8()),
      origin: vectorFromArray(col(() => "self"), new Utf8()),
      rule: vectorFromArray(col((j) => s.reasons[j]), new Utf8()),
      margin: vectorFromArray(col((j) => s.margins[j]), new Float32()),
      swapped: vectorFromArray(col((j) => s.swapped[j] === 1), new Bool()),
      p_a: vectorFromArray(col((j) => s.pA[j]), new Float32()),
      p_b: vectorFromArray(col((j) => s.pB[j]), new Float32()),
    }));
  });
  return result;
}

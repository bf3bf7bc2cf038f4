/**
 * `split`: assigns every pair to seed / validation / test / unlabelled by prompt group, and hides
 * the labels of unlabelled pairs in `gold`.
 *
 * @module
 */
import { concatMap, type Observable, toArray } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows, withColumns } from "../data/schema.ts";
import { int8Data, utf8Data } from "../data/pair_batch_builder.ts";
import { assignSplits, type HeldSplit } from "../data/split_assign.ts";
import { Rng } from "../contracts/rng.ts";

const fraction = (description: string, d: number) => ({
  type: "number" as const,
  min: 0,
  max: 1,
  default: d,
  description,
});

/** The `split` stage's spec. */
export const spec: StageSpec = {
  name: "split",
  pure: true,
  summary:
    "Assigns pairs to seed/validation/test/unlabelled by prompt group; hides unlabelled labels.",
  description: "Collects all rows (the fractions need the total), assigns whole prompt groups " +
    "(`group_id`) in a seeded random order so no group straddles two splits, then re-emits the " +
    "batches. Fractions count labelled rows; each held split lands within one group's size of " +
    "its target. Unlabelled pairs move their label to `gold` and get `label` null; the other " +
    "splits keep `label` and have `gold` null. A row that arrives without a label (a tie kept " +
    "as unlabelled) goes to unlabelled; if its group went to another split it is dropped, and " +
    "counted, so its prompt cannot leak across splits.",
  fields: {
    seed_fraction: fraction(
      "Share of labelled pairs whose human label trains the first model.",
      0.15,
    ),
    validation_fraction: fraction("Share held out for model selection and stopping.", 0.05),
    test_fraction: fraction("Share held out for the final evaluation.", 0.2),
    group_by: {
      type: "enum",
      values: ["prompt", "none"],
      default: "prompt",
      description: "prompt: keep each group_id in one split; none: split rows independently.",
    },
    seed: {
      type: "integer",
      description: "Seed of the assignment (default: derived from the pipeline seed and stage id).",
    },
  },
  examples: [{
    title: "5% seed labels",
    yaml:
      "use: split\nwith: { seed_fraction: 0.05, validation_fraction: 0.05, test_fraction: 0.2 }",
  }],
};

/** Config of `split`. */
export interface SplitConfig {
  seed_fraction: number;
  validation_fraction: number;
  test_fraction: number;
  group_by: "prompt" | "none";
  seed?: number;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that re-emits every row with `split`, `label` and `gold` set.
 */
export function operator(cfg: SplitConfig, ctx: StageContext) {
  // A barrier: it needs every row before it can emit any.
  return (source: Observable<Batch>) =>
    source.pipe(toArray(), concatMap((held) => _emit(held, cfg, ctx)));
}

function _keyColumn(b: Batch, cfg: SplitConfig) {
  const name = cfg.group_by === "prompt" ? "group_id" : "pair_id";
  const col = b.getChild(name);
  if (!col) {
    throw new TypeError(
      `Cannot split batch as it has no '${name}' column: put split after a stage that emits pair batches`,
    );
  }
  return col;
}

function _trueLabel(b: Batch, i: number): number | null {
  return b.getChild("label")?.get(i) ?? b.getChild("gold")?.get(i) ?? null;
}

function* _emit(held: Batch[], cfg: SplitConfig, ctx: StageContext): Generator<Batch> {
  const sizes = new Map<string, number>();
  for (const b of held) {
    const keys = _keyColumn(b, cfg);
    for (let i = 0; i < b.numRows; i++) {
      const k = keys.get(i) as string;
      sizes.set(k, (sizes.get(k) ?? 0) + (_trueLabel(b, i) === null ? 0 : 1));
    }
  }
  const rng = cfg.seed === undefined ? ctx.rng : new Rng(cfg.seed);
  const fractions = {
    seed: cfg.seed_fraction,
    validation: cfg.validation_fraction,
    test: cfg.test_fraction,
  };
  const bySplit = assignSplits(sizes, fractions, rng);
  const counts: Record<HeldSplit, number> = { seed: 0, validation: 0, test: 0, unlabelled: 0 };
  let dropped = 0;
  for (const b of held) {
    const keys = _keyColumn(b, cfg);
    const keep: number[] = [],
      split: string[] = [],
      label: (number | null)[] = [],
      gold: (number | null)[] = [];
    for (let i = 0; i < b.numRows; i++) {
      const s = bySplit.get(keys.get(i))!;
      const y = _trueLabel(b, i);
      if (y === null && s !== "unlabelled") {
        dropped++;
        continue;
      }
      keep.push(i);
      split.push(s);
      label.push(s === "unlabelled" ? null : y);
      gold.push(s === "unlabelled" ? y : null);
      counts[s]++;
    }
    if (keep.length === 0) continue;
    const base = keep.length === b.numRows ? b : takeRows(b, keep);
    yield withColumns(base, {
      label: int8Data(label),
      split: utf8Data(split),
      gold: int8Data(gold),
    });
  }
  ctx.log.info(
    `split ${counts.seed + counts.validation + counts.test + counts.unlabelled} rows in ` +
      `${sizes.size} groups: seed ${counts.seed}, validation ${counts.validation}, ` +
      `test ${counts.test}, unlabelled ${counts.unlabelled}` +
      (dropped ? `; dropped ${dropped} unlabelled rows whose group is held out` : ""),
    { ...counts, groups: sizes.size, dropped },
  );
}

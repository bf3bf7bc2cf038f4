/**
 * The `ser` stage's `on_selected` hook: runs the configured stages on each iteration's
 * candidate self-labels and turns what they passed on into a verdict per candidate (kept,
 * flipped or dropped, and by which stage), enforcing that they only drop or flip: no new
 * pairs, no duplicates, no changed texts.
 *
 * @module
 */
import { Float32, Int32, Utf8, vectorFromArray } from "apache-arrow";
import type { Batch, StageContext, StageRef } from "../contracts/types.ts";
import { pairBatch, type PairRow, withColumns } from "../data/schema.ts";
import type { Candidates, Verdict } from "../ser/verdict.ts";
import { nestedContext, runNested } from "./nested.ts";

/** Candidates per batch handed to the `on_selected` stages. */
export const CANDIDATE_BATCH_ROWS = 4096;

/**
 * The candidates as pair batches: the pair columns (`label` set to the candidate self-label,
 * `gold` hidden) plus `p_a`, `p_b`, `margin`, `rule` and `iteration`.
 *
 * @param c The candidates.
 * @param rows Every pair row by row position.
 * @returns Batches of at most `CANDIDATE_BATCH_ROWS` rows, in candidate order.
 */
export function candidateBatches(c: Candidates, rows: readonly PairRow[]): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < c.rows.length || start === 0; start += CANDIDATE_BATCH_ROWS) {
    const end = Math.min(c.rows.length, start + CANDIDATE_BATCH_ROWS);
    const js = Array.from({ length: end - start }, (_, i) => start + i);
    const base = pairBatch(
      js.map((j) => ({ ...rows[c.rows[j]], label: c.labels[j] as 1 | -1, gold: null })),
    );
    out.push(withColumns(base, {
      p_a: vectorFromArray(js.map((j) => c.pA[j]), new Float32()),
      p_b: vectorFromArray(js.map((j) => c.pB[j]), new Float32()),
      margin: vectorFromArray(js.map((j) => c.margins[j]), new Float32()),
      rule: vectorFromArray(js.map((j) => c.reasons[j]), new Utf8()),
      iteration: vectorFromArray(js.map(() => c.iteration), new Int32()),
    }));
    if (end === c.rows.length) break;
  }
  return out;
}

/**
 * @param refs The `on_selected` stages, in order.
 * @param ctx The `ser` stage's context.
 * @param rows Every pair row by row position.
 * @returns The loop's `onSelected` callback.
 */
export function onSelectedHook(
  refs: readonly StageRef[],
  ctx: StageContext,
  rows: readonly PairRow[],
): (c: Candidates) => Promise<Verdict> {
  return async (c) => {
    const n = c.rows.length;
    const index = new Map<string, number>();
    c.rows.forEach((r, j) => index.set(rows[r].pair_id, j));
    const labels = Int8Array.from(c.labels);
    const by: (string | null)[] = new Array(n).fill(null);
    let batches = candidateBatches(c, rows);
    for (const ref of refs) {
      const where =
        `on_selected stage '${ref.id}' of stage '${ctx.stageId}' (iteration ${c.iteration})`;
      let out: Batch[];
      try {
        out = await runNested(ref, batches, nestedContext(ctx, ref, `iteration-${c.iteration}`));
      } catch (e) {
        throw new Error(`Cannot run ${where}: ${(e as Error).message}`, { cause: e });
      }
      const seen = new Uint8Array(n);
      for (const b of out) _verdicts(b, { where, index, rows, c, labels, by, seen, id: ref.id });
      for (let j = 0; j < n; j++) {
        if (labels[j] !== 0 && !seen[j]) {
          labels[j] = 0;
          by[j] = ref.id;
        }
      }
      batches = out;
    }
    let dropped = 0, flipped = 0;
    for (let j = 0; j < n; j++) {
      if (labels[j] === 0) dropped++;
      else if (labels[j] !== c.labels[j]) flipped++;
      else by[j] = null; // flipped and flipped back: unchanged
    }
    ctx.log.info("on_selected", { iteration: c.iteration, candidates: n, dropped, flipped });
    return { labels, by };
  };
}

function _verdicts(
  b: Batch,
  o: {
    where: string;
    index: Map<string, number>;
    rows: readonly PairRow[];
    c: Candidates;
    labels: Int8Array;
    by: (string | null)[];
    seen: Uint8Array;
    id: string;
  },
): void {
  const ids = b.getChild("pair_id"), lab = b.getChild("label");
  if (!ids || !lab) {
    throw new Error(
      `Cannot use the output of ${o.where} as it has no '${ids ? "label" : "pair_id"}' column: ` +
        "pass the candidate batches on with their columns (drop rows, flip 'label')",
    );
  }
  const texts = (["prompt", "response_a", "response_b"] as const)
    .map((name) => ({ name, col: b.getChild(name) }));
  for (let i = 0; i < b.numRows; i++) {
    const id = String(ids.get(i));
    const j = o.index.get(id);
    if (j === undefined || o.labels[j] === 0) {
      throw new Error(
        `Cannot use the output of ${o.where} as it emits pair '${id}', which is not one of its ` +
          "candidates: a stage here may drop or flip candidates, never add pairs",
      );
    }
    if (o.seen[j]) {
      throw new Error(
        `Cannot use the output of ${o.where} as it emits pair '${id}' twice: pass each ` +
          "candidate on at most once",
      );
    }
    const row = o.rows[o.c.rows[j]];
    for (const { name, col } of texts) {
      if (col && col.get(i) !== row[name]) {
        throw new Error(
          `Cannot use the output of ${o.where} as it changed '${name}' of pair '${id}': a stage ` +
            "here may drop or flip candidates (set 'label'), not edit them",
        );
      }
    }
    const v = Number(lab.get(i));
    if (v !== 1 && v !== -1) {
      throw new Error(
        `Cannot use the output of ${o.where} as pair '${id}' has label ${lab.get(i)}: a label ` +
          "must be 1 (a preferred) or -1 (b preferred); to drop a pair, leave it out",
      );
    }
    o.seen[j] = 1;
    if (v !== o.labels[j]) {
      o.labels[j] = v;
      o.by[j] = o.id;
    }
  }
}

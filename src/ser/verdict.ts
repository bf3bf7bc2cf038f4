/**
 * What the `on_selected` hook sees and decides, and how its decision becomes the iteration's
 * self-labels and label changes.
 *
 * @module
 */
import type { Selection } from "./select.ts";
import type { LabelChange } from "./store.ts";
import type { SelfLabels } from "./train_set.ts";

/** One iteration's candidate self-labels, as the selection policy chose them. */
export interface Candidates {
  iteration: number;
  /** Row positions of the pairs. */
  rows: Uint32Array;
  /** The self-label each would get: 1 (a preferred) or -1 (b preferred). */
  labels: Int8Array;
  pA: Float32Array;
  pB: Float32Array;
  margins: Float32Array;
  /** Why the policy chose each (`status1`, `status2`, `top_k`). */
  reasons: string[];
}

/** The decision on each candidate: its label (0: dropped), and who changed it (null: no one). */
export interface Verdict {
  labels: Int8Array;
  by: (string | null)[];
}

/** The self-labels an iteration keeps, and what changed. */
export interface Applied {
  /** The self-labels in force after the iteration. */
  next: SelfLabels;
  /** The label changes to commit (kept, flipped, dropped, withdrawn). */
  labels: LabelChange[];
  /** Rows and labels of the kept candidates, in candidate order. */
  kept: number[];
  keptLabels: number[];
  dropped: number;
  flipped: number;
  /** Kept candidates that had no self-label, or the opposite one, before. */
  fresh: number;
}

/**
 * Applies the verdict (none: keep every candidate as selected) to an iteration's candidates. A
 * dropped candidate is a label change with label null and the deciding stage's id as its rule; a
 * flipped one keeps the stage's id as its reason; a former self-label not kept is withdrawn.
 *
 * @param prev The self-labels before the iteration.
 * @param picked The candidates' row positions.
 * @param selection What the policy selected (in the same order).
 * @param verdict The `on_selected` decision, or null.
 * @param k The iteration.
 * @param relabel Whether earlier self-labels are replaced (else kept).
 * @returns The new self-labels and the changes.
 */
export function applyVerdict(
  prev: SelfLabels,
  picked: Uint32Array,
  selection: Selection,
  verdict: Verdict | null,
  k: number,
  relabel: boolean,
): Applied {
  const next: SelfLabels = relabel ? new Map() : new Map(prev);
  const labels: LabelChange[] = [];
  const kept: number[] = [], keptLabels: number[] = [];
  let dropped = 0, flipped = 0, fresh = 0;
  for (let j = 0; j < picked.length; j++) {
    const row = picked[j];
    const chosen = verdict ? verdict.labels[j] : selection.labels[j];
    const by = verdict?.by[j] ?? null;
    const base = {
      iteration: k,
      margin: selection.margins[j],
      pA: selection.pA[j],
      pB: selection.pB[j],
      swapped: selection.swapped[j] === 1,
    };
    if (chosen === 0) {
      dropped++;
      labels.push({ row, label: null, origin: "self", rule: by ?? "dropped", ...base });
      continue;
    }
    if (chosen !== selection.labels[j]) flipped++;
    const label = {
      ...base,
      label: chosen as 1 | -1,
      reason: chosen !== selection.labels[j] && by ? by : selection.reasons[j],
    };
    if (prev.get(row)?.label !== label.label) fresh++;
    next.set(row, label);
    kept.push(row);
    keptLabels.push(label.label);
    labels.push({ row, origin: "self", rule: label.reason, ...label });
  }
  const touched = new Set(labels.map((l) => l.row));
  for (const row of prev.keys()) {
    if (!next.has(row) && !touched.has(row)) {
      labels.push({
        row,
        label: null,
        origin: "self",
        rule: "withdrawn",
        iteration: k,
        pA: null,
        pB: null,
        margin: null,
        swapped: false,
      });
    }
  }
  return { next, labels, kept, keptLabels, dropped, flipped, fresh };
}

/**
 * The batch the `ser` stage emits for one loop event: the rows labelled in that iteration, with
 * the new label and how it was chosen, carrying the run metrics so far for the `report` stage.
 *
 * @module
 */
import { Bool, Float32, Int32, Utf8, vectorFromArray } from "apache-arrow";
import { pairBatch, type PairRow, withColumns } from "../data/schema.ts";
import type { Batch } from "../contracts/types.ts";
import { attachMetrics } from "../report/metrics.ts";
import type { LoopEvent } from "./loop.ts";

/**
 * @param e A loop event.
 * @param rows All pair rows by position (as `collectPairs` numbered them).
 * @returns A pair batch of the rows that got a label in this event (`label` set to it) with the
 *   columns `origin`, `rule`, `iteration`, `p_a`, `p_b`, `margin`, `swapped`, and the run metrics
 *   in its schema metadata.
 */
export function eventBatch(e: LoopEvent, rows: readonly PairRow[]): Batch {
  const labelled = e.labels.filter((l) => l.label !== null);
  const base = pairBatch(labelled.map((l) => ({ ...rows[l.row], label: l.label })));
  const col = <T>(f: (l: typeof labelled[number]) => T) => labelled.map(f);
  const batch = withColumns(base, {
    origin: vectorFromArray(col((l) => l.origin), new Utf8()),
    rule: vectorFromArray(col((l) => l.rule), new Utf8()),
    iteration: vectorFromArray(col((l) => l.iteration), new Int32()),
    p_a: vectorFromArray(col((l) => l.pA), new Float32()),
    p_b: vectorFromArray(col((l) => l.pB), new Float32()),
    margin: vectorFromArray(col((l) => l.margin), new Float32()),
    swapped: vectorFromArray(col((l) => l.swapped), new Bool()),
  });
  return attachMetrics(batch, e.state.metrics);
}

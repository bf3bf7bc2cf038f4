/**
 * The `ser` stage's hook fields: the stages it runs inside the loop (`on_selected`,
 * `on_iteration`). The loader resolves and validates them like top-level stages; the `ser` stage
 * runs them (`src/stages/ser_on_selected.ts`, `src/stages/ser_on_iteration.ts`).
 *
 * @module
 */
import type { FieldSpec } from "../contracts/types.ts";

/** The hook fields of the `ser` stage's spec. */
export const HOOK_FIELDS: Record<string, FieldSpec> = {
  on_selected: {
    type: "stages",
    default: [],
    description: "Stages (`{ use, with, id }`, any transform stage: built-in or a module path) " +
      "run on each iteration's candidate self-labels before they are kept: batches with the " +
      "pair columns (`label` is the candidate self-label, 1: a preferred; `gold` is hidden) " +
      "plus `p_a`, `p_b`, `margin`, `rule` and `iteration`. A stage passes on the rows to keep " +
      "and may flip their `label`; it may not add rows or change texts. What it dropped or " +
      "flipped is recorded in the pool's labels with its id as the `rule` (a drop has label " +
      "NULL).",
  },
  on_iteration: {
    type: "stages",
    default: [],
    description: "Stages run after each iteration on a one-row batch of its metrics " +
      "(`iteration`, `status`, `selected`, `pool_size`, `validation_accuracy`, " +
      "`test_accuracy`, ..., `checkpoint`, `kept_iteration`, `kept_checkpoint`, `replayed`; the " +
      "run metrics in the schema metadata): for logging, exporting each round, or stopping " +
      "early: a stage that passes the row on lets the loop go on, one that drops it stops the " +
      "loop (stop reason `on_iteration:<id>`). On `--resume` they see the last committed " +
      "iteration again.",
  },
};

/**
 * The built-in stages: one explicit list (add a stage with one import and one entry).
 *
 * @module
 */
import type { StageModule } from "../pipeline/types.ts";

// Imports of built-in stages, one line each (keep sorted).

/** Every built-in stage by its `use:` name. */
export const BUILTIN_STAGES: Record<string, StageModule> = Object.fromEntries(
  ([
    // Entries, one line each (keep sorted).
  ] as StageModule[]).map((m) => [m.spec.name, m]),
);

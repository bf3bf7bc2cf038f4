/**
 * The built-in stages: one explicit list (add a stage with one import and one entry).
 *
 * @module
 */
import type { StageModule } from "../pipeline/types.ts";

// Imports of built-in stages, one line each (keep sorted).
import * as filter from "./filter.ts";
import * as head from "./head.ts";
import * as write from "./write.ts";

/** Every built-in stage by its `use:` name. */
export const BUILTIN_STAGES: Record<string, StageModule> = Object.fromEntries(
  ([
    // Entries, one line each (keep sorted).
    filter,
    head,
    write,
  ] as StageModule[]).map((m) => [m.spec.name, m]),
);

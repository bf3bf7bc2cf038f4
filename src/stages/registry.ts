/**
 * The built-in stages: one explicit list (add a stage with one import and one entry).
 *
 * @module
 */
import type { StageModule } from "../contracts/types.ts";

// Imports of built-in stages, one line each (keep sorted).
import * as dedupe from "./dedupe.ts";
import * as embed from "./embed.ts";
import * as evaluate from "./evaluate.ts";
import * as featurize from "./featurize.ts";
import * as filter from "./filter.ts";
import * as head from "./head.ts";
import * as pool from "./pool.ts";
import * as read from "./read.ts";
import * as report from "./report.ts";
import * as score from "./score.ts";
import * as select from "./select.ts";
import * as ser from "./ser.ts";
import * as split from "./split.ts";
import * as synthetic from "./synthetic.ts";
import * as train from "./train.ts";
import * as write from "./write.ts";

/** Every built-in stage by its `use:` name. */
export const BUILTIN_STAGES: Record<string, StageModule> = Object.fromEntries(
  ([
    // Entries, one line each (keep sorted).
    dedupe,
    embed,
    evaluate,
    featurize,
    filter,
    head,
    pool,
    read,
    report,
    score,
    select,
    ser,
    split,
    synthetic,
    train,
    write,
  ] as StageModule[]).map((m) => [m.spec.name, m]),
);

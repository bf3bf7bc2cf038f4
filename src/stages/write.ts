/**
 * `write`: writes incoming batches as JSON Lines under the run directory, passing them through.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { finalize } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";

/** The `write` stage's spec. */
export const spec: StageSpec = {
  name: "write",
  summary: "Writes rows as JSON Lines under the run directory and passes them on.",
  kind: "sink",
  inputs: { min: 1, max: 16 },
  description:
    "With several inputs, the rows of the first input come first, then the second's, and so on.",
  fields: {
    path: {
      type: "path",
      description: "File under the run directory (default: <stage id>.jsonl).",
    },
    columns: {
      type: "array",
      items: { type: "string", description: "A column name." },
      description: "Columns to write (default: every column that is not a list of ids).",
    },
  },
  examples: [{
    title: "Keep a copy of the pairs",
    yaml: "use: write\nwith: { path: pairs.jsonl }",
  }],
};

/** Config of `write`. */
export interface WriteConfig {
  path?: string;
  columns?: string[];
}

const encoder = new TextEncoder();

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that appends each batch's rows to the file.
 */
export function operator(cfg: WriteConfig, ctx: StageContext) {
  const target = resolve(ctx.runDir, cfg.path ?? `${ctx.stageId}.jsonl`);
  const rel = relative(ctx.runDir, target);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new RangeError(
      `Cannot write '${cfg.path}' as it is outside the run directory '${ctx.runDir}': use a relative path`,
    );
  }
  let file: Deno.FsFile | undefined;
  let rows = 0;
  return (source: import("rxjs").Observable<Batch>) =>
    source.pipe(
      ctx.mapAsync(async (b) => {
        if (!file) {
          await Deno.mkdir(join(target, ".."), { recursive: true });
          file = await Deno.open(target, { write: true, create: true, truncate: true });
        }
        const names = cfg.columns ??
          b.schema.fields.filter((f) => !String(f.type).startsWith("List")).map((f) => f.name);
        const missing = names.filter((n) => !b.getChild(n));
        if (missing.length) {
          throw new RangeError(
            `Cannot write column '${missing[0]}' as the batch has no such column`,
          );
        }
        const cols = names.map((n) => b.getChild(n)!);
        let text = "";
        for (let i = 0; i < b.numRows; i++) {
          const row: Record<string, unknown> = {};
          names.forEach((n, k) => {
            const v = cols[k].get(i);
            row[n] = typeof v === "bigint" ? Number(v) : v;
          });
          text += JSON.stringify(row) + "\n";
        }
        await file.write(encoder.encode(text));
        rows += b.numRows;
        return b;
      }),
      finalize(() => {
        file?.close();
        ctx.log.info(`wrote ${rows} rows`, { path: target });
      }),
    );
}

/** Helper for reader tests: read files with `readPairs` and collect rows, stats and rejects. */
import { join } from "node:path";
import type { PairRow } from "../../src/data/schema.ts";
import {
  newReadStats,
  type ReadOptions,
  readPairs,
  type ReadStats,
  type RejectRow,
} from "../../src/data/read_pairs.ts";
import { resolveFields } from "../../src/data/presets.ts";
import { DEFAULT_LABEL_VALUES } from "../../src/data/label_values.ts";
import { FIXTURES } from "./_ctx.ts";

/** What a read produced. */
export interface ReadResult {
  rows: PairRow[];
  stats: ReadStats;
  rejects: RejectRow[];
  batches: number;
}

/** Reads `files` (fixture names or absolute paths) with defaults overridden by `opts`. */
export async function readAll(
  files: string | string[],
  opts: Partial<ReadOptions> = {},
): Promise<ReadResult> {
  const list = (typeof files === "string" ? [files] : files).map((f) =>
    f.startsWith("/") ? f : join(FIXTURES, f)
  );
  const preset = opts.preset ?? "prompt-chosen-rejected";
  const rejects: RejectRow[] = [];
  const stats = newReadStats();
  const rows: PairRow[] = [];
  let batches = 0;
  for await (
    const b of readPairs({
      files: list,
      names: list.map((f) => f.split("/").pop()!),
      fileType: "auto",
      fields: resolveFields(preset),
      labels: DEFAULT_LABEL_VALUES,
      ties: "drop",
      batchSize: 1000,
      onError: "fail",
      dedupe: true,
      seed: 7,
      onRejects: (r) => {
        rejects.push(...r);
      },
      ...opts,
      preset,
    }, stats)
  ) {
    rows.push(...b);
    batches++;
  }
  return { rows, stats, rejects, batches };
}

/** The preferred and the other response of a row, by its label. */
export function preferredOf(r: PairRow): { preferred: string; other: string } {
  return r.label === -1
    ? { preferred: r.response_b, other: r.response_a }
    : { preferred: r.response_a, other: r.response_b };
}

let _tempDir: string | undefined;

/** Writes bytes to a new temp file with the given suffix and returns its path (removed at exit). */
export async function tempFile(suffix: string, bytes: Uint8Array | string): Promise<string> {
  if (!_tempDir) {
    const dir = _tempDir = await Deno.makeTempDir({ prefix: "serflow-read-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  }
  const path = await Deno.makeTempFile({ dir: _tempDir, suffix });
  if (typeof bytes === "string") await Deno.writeTextFile(path, bytes);
  else await Deno.writeFile(path, bytes);
  return path;
}

/**
 * Writes an export: streams the export query's rows, shapes them, and writes JSON lines, or JSON
 * lines read back by DuckDB into Parquet (one file, or the shards and card of a Hugging Face
 * dataset folder).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import type { Pool } from "./pool.ts";
import type { ExportOptions, ExportSummary } from "./export.ts";
import { type LabelledPair, rowColumnTypes, type ShapeOptions, shapeRow } from "./export_rows.ts";
import { datasetCard, type ExportStats, readCardRun } from "./export_card.ts";

const FLUSH_BYTES = 1 << 20;
const encoder = new TextEncoder();

/** A JSON-lines file written in large pieces. */
class _LineSink {
  #file: Deno.FsFile;
  #buf: string[] = [];
  #bytes = 0;
  lines = 0;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  static async create(path: string): Promise<_LineSink> {
    return new _LineSink(await Deno.open(path, { write: true, create: true, truncate: true }));
  }

  async add(line: string): Promise<void> {
    this.#buf.push(line, "\n");
    this.#bytes += line.length + 1;
    this.lines++;
    if (this.#bytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buf.length === 0) return;
    let data = encoder.encode(this.#buf.join(""));
    this.#buf = [];
    this.#bytes = 0;
    while (data.length > 0) data = data.subarray(await this.#file.write(data));
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#file.close();
    }
  }
}

function _pair(r: unknown[]): LabelledPair & { dataset: string } {
  const origin = r[4] as "human" | "self";
  return {
    pairId: r[0] as string,
    prompt: r[1] as string,
    chosen: r[2] as string,
    rejected: r[3] as string,
    origin,
    iteration: Number(r[5]),
    rule: (r[6] as string | null) ?? "",
    selfMargin: origin === "human" ? null : (r[7] as number | null),
    dataset: (r[8] as string | null) ?? "",
  };
}

function _count(stats: ExportStats, p: LabelledPair & { dataset: string }): void {
  stats[p.origin]++;
  const key = `${p.origin}\t${p.rule}\t${p.iteration}`;
  stats.labels.set(key, (stats.labels.get(key) ?? 0) + 1);
  stats.datasets.set(p.dataset, (stats.datasets.get(p.dataset) ?? 0) + 1);
}

const _sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Streams `sql` (an `exportQuery`) into the files `opts` names.
 *
 * @param pool The pool.
 * @param sql The export query.
 * @param opts Format, output and (for the card) the filters.
 * @param shape How rows are shaped (checked options).
 * @returns The counts and files.
 */
export async function writeExport(
  pool: Pool,
  sql: string,
  opts: ExportOptions,
  shape: ShapeOptions,
): Promise<ExportSummary> {
  await _checkOut(opts);
  const stats: ExportStats = { human: 0, self: 0, labels: new Map(), datasets: new Map() };
  const jsonl = opts.format === "trl-jsonl" || opts.format === "openrlhf-jsonl";
  const tmp = jsonl ? null : await Deno.makeTempDir({ prefix: "serflow-export-" });
  const shardRows = opts.format === "hf-dataset" ? opts.shardRows! : Infinity;
  const parts: string[] = [];
  try {
    let sink: _LineSink | null = null;
    try {
      if (jsonl) {
        sink = await _LineSink.create(opts.out);
        parts.push(opts.out);
      }
      await pool.forEachChunk(sql, async (rows) => {
        for (const r of rows) {
          if (!sink || sink.lines >= shardRows) {
            await sink?.close();
            parts.push(join(tmp!, `${parts.length}.jsonl`));
            sink = await _LineSink.create(parts[parts.length - 1]);
          }
          const p = _pair(r);
          _count(stats, p);
          await sink.add(JSON.stringify(shapeRow(p, shape)));
        }
      });
      if (!sink) {
        parts.push(join(tmp!, "0.jsonl"));
        sink = await _LineSink.create(parts[0]);
      }
    } finally {
      await (sink as _LineSink | null)?.close();
    }
    const summary = { rows: stats.human + stats.self, human: stats.human, self: stats.self };
    if (jsonl) return { ...summary, files: parts };
    const files = opts.format === "parquet"
      ? [opts.out]
      : await _shardPaths(opts.out, parts.length);
    const types = rowColumnTypes(shape);
    const columns = `{${Object.entries(types).map(([k, t]) => `${_sqlText(k)}: ${_sqlText(t)}`)}}`;
    for (let i = 0; i < parts.length; i++) {
      await pool.query(
        `COPY (SELECT * FROM read_json(${_sqlText(parts[i])}, format = 'newline_delimited',
          columns = ${columns}, maximum_object_size = 1073741824))
        TO ${_sqlText(files[i])} (FORMAT PARQUET)`,
      );
    }
    if (opts.format === "hf-dataset") {
      const card = join(opts.out, "README.md");
      const run = await readCardRun(pool);
      await Deno.writeTextFile(
        card,
        datasetCard({ run, stats, opts, shape, shards: files.length }),
      );
      files.push(card);
    }
    return { ...summary, files };
  } finally {
    if (tmp) await Deno.remove(tmp, { recursive: true });
  }
}

async function _stat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Refuses an output that cannot be written before any work: a missing folder, a file for a folder. */
async function _checkOut(opts: ExportOptions): Promise<void> {
  const out = resolve(opts.out);
  const st = await _stat(out);
  if (opts.format !== "hf-dataset") {
    if (st?.isDirectory) {
      throw new Error(`Cannot export to '${opts.out}' as it is a folder: pass a file name`);
    }
    if (!(await _stat(dirname(out)))?.isDirectory) {
      throw new Error(
        `Cannot export to '${opts.out}' as its folder '${
          dirname(out)
        }' does not exist: create it first`,
      );
    }
    return;
  }
  if (st && !st.isDirectory) {
    throw new Error(
      `Cannot export an hf-dataset to '${opts.out}' as it is a file: pass a folder (it is created)`,
    );
  }
  const card = join(out, "README.md");
  if ((await _stat(card)) && !(await Deno.readTextFile(card)).includes("\n  - serflow\n")) {
    throw new Error(
      `Cannot export an hf-dataset to '${opts.out}' as its README.md is not a serflow dataset ` +
        `card and would be overwritten: pass a new or empty folder`,
    );
  }
}

/** The shard paths of a dataset folder, after removing an earlier export's shards. */
async function _shardPaths(dir: string, n: number): Promise<string[]> {
  const data = join(dir, "data");
  await Deno.mkdir(data, { recursive: true });
  for await (const e of Deno.readDir(data)) {
    if (e.isFile && /^train-\d{5}-of-\d{5}\.parquet$/.test(e.name)) {
      await Deno.remove(join(data, e.name));
    }
  }
  const of = String(n).padStart(5, "0");
  return Array.from(
    { length: n },
    (_, i) => join(data, `train-${String(i).padStart(5, "0")}-of-${of}.parquet`),
  );
}

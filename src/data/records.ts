/**
 * Reads any supported file as a stream of records (parsed values with their line numbers), or
 * per-record errors that the reader turns into rejects.
 *
 * @module
 */
import { openBytes, readLines } from "./lines.ts";
import { readJsonArray } from "./json_array.ts";
import { readTableRows } from "./table_rows.ts";

/** The file types the reader understands. */
export type FileType = "jsonl" | "json" | "csv" | "parquet";

/** One record of a file: a parsed value, a blank line, or a reason it could not be parsed. */
export interface FileRecord {
  line: number;
  value?: unknown;
  /** Why the record is malformed (it is then a reject). */
  error?: string;
  /** The record's text (for rejects), cut to `RAW_LIMIT` characters. */
  raw: string;
  /** A blank line in JSON Lines (not a record; counted apart). */
  blank?: boolean;
}

/** Longest raw text kept for a reject. */
export const RAW_LIMIT = 2000;

/**
 * Picks a file type from the name: `.jsonl`/`.ndjson` (also `.gz`), `.json` (a JSON array if the
 * first non-blank character is `[`, otherwise JSON Lines), `.csv`, `.parquet`.
 *
 * @param path The file.
 * @returns The file type.
 * @throws {TypeError} When the extension is not one of those.
 * @example
 * ```ts
 * import { detectFileType } from "./records.ts";
 * if (await detectFileType("x.jsonl.gz") !== "jsonl") throw new Error();
 * ```
 */
export async function detectFileType(path: string): Promise<FileType> {
  const name = path.toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
  if (name.endsWith(".csv") || name.endsWith(".tsv")) return "csv";
  if (name.endsWith(".parquet") || name.endsWith(".pq")) return "parquet";
  if (name.endsWith(".json")) return await _startsWithBracket(path) ? "json" : "jsonl";
  throw new TypeError(
    `Cannot tell the file type of '${path}' from its name: ` +
      `set file_type to jsonl, json, csv or parquet`,
  );
}

/**
 * Yields the records of one file.
 *
 * @param path The file.
 * @param type Its type (see {@linkcode detectFileType}).
 * @returns Records in file order; malformed ones carry `error` instead of `value`.
 * @example
 * ```ts
 * import { readRecords } from "./records.ts";
 * const tmp = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(tmp, '{"a":1}\n\n{oops\n');
 * const got = [];
 * for await (const r of readRecords(tmp, "jsonl")) got.push(r.blank ? "blank" : r.error ? "bad" : "ok");
 * if (got.join() !== "ok,blank,bad") throw new Error(got.join());
 * await Deno.remove(tmp);
 * ```
 */
export async function* readRecords(path: string, type: FileType): AsyncGenerator<FileRecord> {
  if (type === "csv" || type === "parquet") {
    if ((await Deno.stat(path)).size === 0) return;
    for await (const row of readTableRows(path, type)) {
      yield { line: row.line, value: row.value, raw: _rawOf(row.value) };
    }
    return;
  }
  const lines = type === "jsonl" ? readLines(path) : readJsonArray(path);
  for await (const l of lines) {
    const raw = l.text.length > RAW_LIMIT ? l.text.slice(0, RAW_LIMIT) : l.text;
    if (type === "jsonl" && l.text.trim() === "") {
      yield { line: l.line, raw: "", blank: true };
      continue;
    }
    if (l.invalidUtf8) {
      yield { line: l.line, raw, error: "invalid UTF-8 (the bytes are not valid UTF-8 text)" };
      continue;
    }
    try {
      const value = JSON.parse(l.text);
      if (l.unterminated && type === "json") throw new SyntaxError("the array is not closed");
      yield { line: l.line, raw, value };
    } catch (err) {
      const why = (err as Error).message;
      const cut = l.unterminated
        ? type === "json"
          ? ` (${why}: the file ends inside the array; it may be truncated)`
          : ` (${why}; the last line has no line ending: the file may be truncated)`
        : ` (${why})`;
      yield { line: l.line, raw, error: `invalid JSON${cut}` };
    }
  }
}

async function _startsWithBracket(path: string): Promise<boolean> {
  for await (const chunk of await openBytes(path)) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xef || c === 0xbb || c === 0xbf) {
        continue;
      }
      return c === 91;
    }
  }
  return false;
}

function _rawOf(value: unknown): string {
  const s = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? Number(v) : v) ?? "";
  return s.length > RAW_LIMIT ? s.slice(0, RAW_LIMIT) : s;
}

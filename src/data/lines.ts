/**
 * Streams the lines of a (possibly gzip-compressed) text file with bounded memory: bytes are
 * split on `\n` as they arrive and each line is decoded on its own, so one bad line (invalid
 * UTF-8) is reported with its number and never stops the lines after it.
 *
 * @module
 */

/** One line of a file. */
export interface Line {
  /** 1-based line number. */
  line: number;
  /** The decoded text without the line ending (`\n` or `\r\n`) or a leading UTF-8 BOM. */
  text: string;
  /** Set when the bytes are not valid UTF-8; `text` then holds a lossy decoding. */
  invalidUtf8?: boolean;
  /** Set on a last line that has no line ending (it may have been cut off). */
  unterminated?: boolean;
}

/** Lines longer than this stop the read: such a file is not line-delimited. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

const strict = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/**
 * Opens a file as a byte stream, gunzipping it when its name ends in `.gz`.
 *
 * @param path The file to read.
 * @returns The (decompressed) bytes.
 * @example
 * ```ts
 * import { openBytes } from "./lines.ts";
 * const tmp = await Deno.makeTempFile();
 * await Deno.writeTextFile(tmp, "x");
 * for await (const chunk of await openBytes(tmp)) if (chunk[0] !== 120) throw new Error();
 * await Deno.remove(tmp);
 * ```
 */
export async function openBytes(path: string): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  const bytes = file.readable;
  if (!path.toLowerCase().endsWith(".gz")) return bytes;
  return bytes.pipeThrough(
    new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
  );
}

/**
 * Yields the lines of `path` one at a time; memory stays bounded by the longest line.
 *
 * @param path A text file, gunzipped on the fly when it ends in `.gz`.
 * @returns The lines, in order, with their 1-based numbers.
 * @example
 * ```ts
 * import { readLines } from "./lines.ts";
 * const tmp = await Deno.makeTempFile();
 * await Deno.writeTextFile(tmp, "\uFEFFa\r\nb");
 * const lines = [];
 * for await (const l of readLines(tmp)) lines.push(l.text);
 * if (lines.join() !== "a,b") throw new Error(lines.join());
 * await Deno.remove(tmp);
 * ```
 */
export async function* readLines(path: string): AsyncGenerator<Line> {
  const stream = await openBytes(path);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let line = 0;
  try {
    for await (const chunk of stream) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const piece = chunk.subarray(start, nl);
        const bytes = pending.length === 0
          ? piece
          : _concat([...pending, piece], pendingBytes + piece.length);
        pending = [];
        pendingBytes = 0;
        yield _decode(bytes, ++line, false);
        start = nl + 1;
      }
      if (start < chunk.length) {
        // Copy: the stream may reuse its chunk buffers.
        pending.push(chunk.slice(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) {
          throw new RangeError(
            `Cannot read '${path}' as line ${line + 1} is longer than ${MAX_LINE_BYTES} bytes: ` +
              `is it line-delimited? Set file_type to json, csv or parquet if it is not JSON Lines`,
          );
        }
      }
    }
  } catch (err) {
    if (err instanceof RangeError) throw err;
    throw new Error(
      `Cannot read '${path}' after line ${line}: ${(err as Error).message}; ` +
        `check that the file is complete${path.endsWith(".gz") ? " and a valid gzip file" : ""}`,
      { cause: err },
    );
  }
  if (pendingBytes > 0) yield _decode(_concat(pending, pendingBytes), ++line, true);
}

function _decode(bytes: Uint8Array, line: number, unterminated: boolean): Line {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  const body = bytes.subarray(0, end);
  const out: Line = { line, text: "" };
  try {
    out.text = strict.decode(body);
  } catch {
    out.text = lossy.decode(body);
    out.invalidUtf8 = true;
  }
  if (unterminated) out.unterminated = true;
  return out;
}

function _concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Streams the elements of a top-level JSON array without parsing the whole file: a byte scanner
 * finds where each element starts and ends (JSON's structural characters are ASCII, so UTF-8
 * text never confuses it) and yields each element's text with the line it starts on.
 *
 * @module
 */
import { type Line, openBytes } from "./lines.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
const QUOTE = 34, BACKSLASH = 92, COMMA = 44, NEWLINE = 10;

/**
 * Yields the element texts of the JSON array in `path` (gunzipped when it ends in `.gz`), each
 * as a {@linkcode Line} whose `line` is where the element starts. An element cut off by the end
 * of the file is yielded with `unterminated` set; an empty file yields nothing.
 *
 * @param path A file holding one JSON array.
 * @returns The raw JSON text of each element, in order.
 * @throws {SyntaxError} When the file is not a JSON array or has text after its closing `]`.
 * @example
 * ```ts
 * import { readJsonArray } from "./json_array.ts";
 * const tmp = await Deno.makeTempFile();
 * await Deno.writeTextFile(tmp, '[{"a": "x,]"},\n {"a": 2}]');
 * const items = [];
 * for await (const e of readJsonArray(tmp)) items.push(JSON.parse(e.text).a);
 * if (items.join() !== "x,],2") throw new Error(items.join());
 * await Deno.remove(tmp);
 * ```
 */
export async function* readJsonArray(path: string): AsyncGenerator<Line> {
  let line = 1;
  let phase: "before" | "inside" | "after" = "before";
  let depth = 0; // nesting inside the current element
  let inString = false, escaped = false;
  let parts: Uint8Array[] = [];
  let startLine = 0; // 0: no element in progress
  let offset = 0; // bytes seen before the opening '['
  const fail = (what: string): never => {
    throw new SyntaxError(
      `Cannot read '${path}' as JSON array: ${what} at line ${line}; ` +
        `set file_type: jsonl if the file holds one JSON value per line`,
    );
  };
  const finish = (chunk: Uint8Array, from: number, to: number): Line => {
    parts.push(chunk.subarray(from, to));
    const bytes = _concat(parts);
    parts = [];
    const out: Line = { line: startLine, text: "" };
    try {
      out.text = strict.decode(bytes).trim();
    } catch {
      out.text = lossy.decode(bytes).trim();
      out.invalidUtf8 = true;
    }
    startLine = 0;
    return out;
  };
  for await (const chunk of await openBytes(path)) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === NEWLINE) line++;
      if (phase === "before") {
        if (c === OPEN_BRACKET) {
          phase = "inside";
          from = i + 1;
        } else if (!_isSpace(c) && !(offset < 3 && c === [0xef, 0xbb, 0xbf][offset])) {
          fail(`expected '[' but found '${String.fromCharCode(c)}'`);
        }
        offset++;
        continue;
      }
      if (phase === "after") {
        if (!_isSpace(c)) fail(`unexpected '${String.fromCharCode(c)}' after the closing ']'`);
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (startLine === 0) {
        if (_isSpace(c)) continue;
        if (c === CLOSE_BRACKET) {
          phase = "after";
          continue;
        }
        if (c === COMMA) fail("expected an element but found ','");
        startLine = line;
        from = i;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) depth--;
      else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
        yield finish(chunk, from, i);
        if (c === CLOSE_BRACKET) phase = "after";
      }
    }
    // Keep the unfinished element's bytes (copied: the stream may reuse its buffers).
    if (startLine !== 0 && from < chunk.length) parts.push(chunk.slice(from));
  }
  if (phase === "before") return; // an empty (or whitespace-only) file has no elements
  if (phase === "inside" && startLine !== 0) {
    const last = finish(new Uint8Array(0), 0, 0);
    last.unterminated = true;
    yield last;
  } else if (phase === "inside") {
    fail("the array is not closed (the file may be truncated)");
  }
}

function _isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function _concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

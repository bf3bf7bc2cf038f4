/**
 * Word tokenization for the featurizer, Unicode-aware and allocation-free on the hot path.
 *
 * Rules (applied to text that the featurizer has already lower-cased with `toLowerCase()`):
 * - a word is a maximal run of letters, digits and combining marks (`\p{L}\p{N}\p{M}`), so
 *   accented and non-Latin words (`café`, `straße`, `привет`, `हिन्दी`) stay whole;
 * - every letter or digit used by Han, Hiragana or Katakana (script extensions, so `ー` and
 *   `々` count) is a token of its own (those scripts do not put spaces between words);
 * - every other visible character (punctuation, symbols, emoji) is a one-character token when
 *   `punctuation` is kept, and a separator when it is dropped (the default keeps it: `?`, `!`
 *   and the like carry signal about answers);
 * - whitespace, control and format characters separate tokens.
 *
 * @module
 */

/** A token's kind: a word (gets character n-grams), a lone ideograph, or punctuation. */
export const WORD = 1, PUNCT = 2, IDEOGRAPH = 3;
const SEPARATOR = 0, UNKNOWN = 255;

const IDEOGRAPH_RE = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/u;
const WORD_RE = /[\p{L}\p{N}\p{M}]/u;
const SEPARATOR_RE = /[\s\p{Z}\p{C}]/u;

function classify(ch: string): number {
  if (WORD_RE.test(ch)) return IDEOGRAPH_RE.test(ch) ? IDEOGRAPH : WORD;
  if (SEPARATOR_RE.test(ch)) return SEPARATOR;
  return PUNCT;
}

/** Class of each BMP code unit, filled lazily (surrogates are handled as pairs). */
const BMP = new Uint8Array(65536).fill(UNKNOWN);
for (let c = 0; c < 128; c++) BMP[c] = classify(String.fromCharCode(c));
const ASTRAL = new Map<number, number>();

function classAt(s: string, i: number, c: number): number {
  let k = BMP[c];
  if (k === UNKNOWN) {
    k = c >= 0xd800 && c <= 0xdfff ? SEPARATOR : classify(String.fromCharCode(c));
    BMP[c] = k;
  }
  if (c >= 0xd800 && c <= 0xdbff) {
    const lo = s.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) {
      const cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
      let a = ASTRAL.get(cp);
      if (a === undefined) ASTRAL.set(cp, a = classify(String.fromCodePoint(cp)));
      return a;
    }
  }
  return k;
}

/** Growable token boundaries: token `t` is `s[starts[t], ends[t])` of kind `kinds[t]`. */
export class TokenBuffer {
  starts: Int32Array = new Int32Array(256);
  ends: Int32Array = new Int32Array(256);
  kinds: Uint8Array = new Uint8Array(256);
  count = 0;

  /** Makes room for at least `n` tokens. */
  reserve(n: number): void {
    if (n <= this.starts.length) return;
    const cap = Math.max(n, this.starts.length * 2);
    const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.starts = grow(this.starts, new Int32Array(cap));
    this.ends = grow(this.ends, new Int32Array(cap));
    this.kinds = grow(this.kinds, new Uint8Array(cap));
  }
}

/**
 * Splits `s` into tokens, writing their boundaries into `out` (replacing its contents).
 *
 * @param s The text, already lower-cased.
 * @param punctuation Keep punctuation and symbols as one-character tokens (else drop them).
 * @param out Receives the token boundaries and kinds.
 * @returns The number of tokens.
 * @example
 * ```ts
 * import { scanTokens, TokenBuffer } from "./tokenize.ts";
 * const buf = new TokenBuffer();
 * if (scanTokens("hi, you", true, buf) !== 3 || buf.ends[0] !== 2) throw new Error();
 * ```
 */
export function scanTokens(s: string, punctuation: boolean, out: TokenBuffer): number {
  const n = s.length;
  out.reserve(n + 1);
  const starts = out.starts, ends = out.ends, kinds = out.kinds;
  let count = 0, wordStart = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = c < 128 ? BMP[c] : classAt(s, i, c);
    const width = c >= 0xd800 && c <= 0xdbff && k !== SEPARATOR ? 2 : 1;
    if (k === WORD) {
      if (wordStart < 0) wordStart = i;
      i += width - 1;
      continue;
    }
    if (wordStart >= 0) {
      starts[count] = wordStart, ends[count] = i, kinds[count++] = WORD;
      wordStart = -1;
    }
    if (k === IDEOGRAPH || (k === PUNCT && punctuation)) {
      starts[count] = i, ends[count] = i + width, kinds[count++] = k;
    }
    i += width - 1;
  }
  if (wordStart >= 0) starts[count] = wordStart, ends[count] = n, kinds[count++] = WORD;
  out.count = count;
  return count;
}

/**
 * Lower-cases and tokenizes `text` into strings (for inspection and tests; the featurizer hashes
 * the same tokens without building strings).
 *
 * @param text Any text.
 * @param opts `punctuation`: keep punctuation and symbols as tokens (default true).
 * @returns The tokens in order.
 * @example
 * ```ts
 * import { tokenize } from "./tokenize.ts";
 * const t = tokenize("Ça VA? 東京!");
 * if (t.join(" ") !== "ça va ? 東 京 !") throw new Error(t.join(" "));
 * ```
 */
export function tokenize(text: string, opts: { punctuation?: boolean } = {}): string[] {
  const s = text.toLowerCase();
  const buf = new TokenBuffer();
  const n = scanTokens(s, opts.punctuation ?? true, buf);
  const out: string[] = new Array(n);
  for (let t = 0; t < n; t++) out[t] = s.slice(buf.starts[t], buf.ends[t]);
  return out;
}

/**
 * The BERT normaliser of Hugging Face `tokenizers` (`BertNormalizer`), step for step: drop NUL,
 * U+FFFD and control/format/unassigned/private-use characters, turn whitespace into spaces, put
 * spaces around CJK ideographs, strip accents (NFD, then drop non-spacing marks), lower-case each
 * character on its own.
 *
 * @module
 */

/** The options of a `BertNormalizer` entry in `tokenizer.json`. */
export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: follows `lowercase` (as in `tokenizers`). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
const WHITESPACE = /\p{White_Space}/u;
const NONSPACING_MARK = /\p{Mn}/gu;

/**
 * True for the code points `tokenizers` treats as CJK ideographs (the CJK Unified Ideographs
 * blocks and their extensions, and the compatibility ideographs).
 *
 * @param cp A code point.
 * @returns Whether it gets spaces around it.
 * @example
 * ```ts
 * import { isChineseChar } from "./bert_normalizer.ts";
 * if (!isChineseChar("学".codePointAt(0)!) || isChineseChar(0x3042)) throw new Error();
 * ```
 */
export function isChineseChar(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/**
 * Normalises text as `BertNormalizer` does.
 *
 * @param text The raw text.
 * @param o The normaliser's options.
 * @returns The normalised text.
 * @example
 * ```ts
 * import { bertNormalize } from "./bert_normalizer.ts";
 * const o = { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true };
 * if (bertNormalize("Café\t学", o) !== "cafe  学 ") throw new Error();
 * ```
 */
export function bertNormalize(text: string, o: BertNormalizerOptions): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (o.cleanText) {
      if (cp === 0 || cp === 0xfffd) continue;
      if (ch !== "\t" && ch !== "\n" && ch !== "\r" && CONTROL.test(ch)) continue;
    }
    const c = o.cleanText && (ch === "\t" || ch === "\n" || ch === "\r" || WHITESPACE.test(ch))
      ? " "
      : ch;
    out += o.handleChineseChars && isChineseChar(cp) ? ` ${c} ` : c;
  }
  if (o.stripAccents ?? o.lowercase) out = out.normalize("NFD").replace(NONSPACING_MARK, "");
  if (o.lowercase) {
    let lower = "";
    for (const ch of out) lower += ch.toLowerCase();
    out = lower;
  }
  return out;
}

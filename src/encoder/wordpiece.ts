/**
 * WordPiece as Hugging Face `tokenizers` applies it to one word: greedy longest match from the
 * left, later pieces looked up with the continuing-subword prefix (`##`); a word with a part that
 * matches nothing, or longer than `max_input_chars_per_word` characters, becomes the unknown token.
 *
 * @module
 */

/** A WordPiece model: its vocabulary and rules. */
export interface WordPieceModel {
  vocab: ReadonlyMap<string, number>;
  unkId: number;
  prefix: string;
  maxInputCharsPerWord: number;
}

/**
 * Appends the ids of one word to `out`.
 *
 * @param word A pre-tokenised word.
 * @param m The model.
 * @param out Where the ids go.
 * @example
 * ```ts
 * import { wordPiece } from "./wordpiece.ts";
 * const vocab = new Map([["un", 0], ["##aff", 1], ["##able", 2], ["[UNK]", 3]]);
 * const m = { vocab, unkId: 3, prefix: "##", maxInputCharsPerWord: 100 };
 * const ids: number[] = [];
 * wordPiece("unaffable", m, ids);
 * wordPiece("xyz", m, ids);
 * if (ids.join() !== "0,1,2,3") throw new Error();
 * ```
 */
export function wordPiece(word: string, m: WordPieceModel, out: number[]): void {
  const chars = Array.from(word);
  if (chars.length > m.maxInputCharsPerWord) {
    out.push(m.unkId);
    return;
  }
  const whole = m.vocab.get(word);
  if (whole !== undefined) {
    out.push(whole);
    return;
  }
  const start = out.length;
  let i = 0;
  while (i < chars.length) {
    let end = chars.length, id: number | undefined;
    while (i < end) {
      const piece = (i > 0 ? m.prefix : "") + chars.slice(i, end).join("");
      id = m.vocab.get(piece);
      if (id !== undefined) break;
      end--;
    }
    if (id === undefined) {
      out.length = start;
      out.push(m.unkId);
      return;
    }
    out.push(id);
    i = end;
  }
}

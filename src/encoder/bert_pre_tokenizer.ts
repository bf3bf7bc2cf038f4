/**
 * The BERT pre-tokeniser of Hugging Face `tokenizers` (`BertPreTokenizer`): split on whitespace
 * (dropped) and put every punctuation character (ASCII punctuation and Unicode `P*`) in a word of
 * its own.
 *
 * @module
 */

const WHITESPACE = /\p{White_Space}/u;
const PUNCTUATION = /[!-/:-@[-`{-~]|\p{P}/u;

/**
 * Splits normalised text into words.
 *
 * @param text Normalised text.
 * @returns The words, in order.
 * @example
 * ```ts
 * import { bertPreTokenize } from "./bert_pre_tokenizer.ts";
 * if (bertPreTokenize("don't  stop!").join("|") !== "don|'|t|stop|!") throw new Error();
 * ```
 */
export function bertPreTokenize(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (cur) words.push(cur);
      cur = "";
    } else if (PUNCTUATION.test(ch)) {
      if (cur) words.push(cur);
      words.push(ch);
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (cur) words.push(cur);
  return words;
}

/**
 * The tiny BERT fixtures (`tests/fixtures/make_tiny_bert.py`): model folders and their reference
 * ids and pooled embeddings from `tokenizers` and `transformers`.
 *
 * @module
 */

/** The f32 model folder. */
export const TINY_BERT = new URL("../fixtures/tiny_bert/", import.meta.url).pathname;
/** The same weights rounded to f16. */
export const TINY_BERT_F16 = new URL("../fixtures/tiny_bert_f16/", import.meta.url).pathname;

/** What `make_tiny_bert.py` wrote beside each model. */
export interface Reference {
  max_tokens: number;
  texts: string[];
  /** `tokenizers` ids with `[CLS]`/`[SEP]`, no truncation. */
  ids: number[][];
  /** The same truncated to `max_tokens`, keeping the end. */
  ids_truncated: number[][];
  /** `transformers` outputs on `ids_truncated`, per text. */
  embeddings: { mean: number[]; cls: number[]; mean_l2: number[] }[];
}

/**
 * Reads a folder's reference outputs.
 *
 * @param folder A fixture folder.
 * @returns Its `reference.json`.
 */
export async function reference(folder: string): Promise<Reference> {
  return JSON.parse(await Deno.readTextFile(`${folder}reference.json`));
}

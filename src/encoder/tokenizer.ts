/**
 * A WordPiece tokenizer built from a Hugging Face `tokenizer.json` (BERT normaliser, BERT
 * pre-tokeniser, WordPiece model, `[CLS] ... [SEP]` post-processor), giving the same ids as the
 * `tokenizers` library. Long texts keep their end (the latest turns of a conversation).
 *
 * @module
 */
import { bertNormalize, type BertNormalizerOptions } from "./bert_normalizer.ts";
import { bertPreTokenize } from "./bert_pre_tokenizer.ts";
import { wordPiece, type WordPieceModel } from "./wordpiece.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A loaded WordPiece tokenizer. */
export class WordPieceTokenizer {
  readonly model: WordPieceModel;
  readonly normalizer: BertNormalizerOptions | null;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  /** Special tokens matched in the raw text before normalising (longest first). */
  readonly #added: { content: string; id: number }[];

  private constructor(
    model: WordPieceModel,
    normalizer: BertNormalizerOptions | null,
    specials: { cls: number; sep: number; pad: number },
    added: { content: string; id: number }[],
  ) {
    this.model = model;
    this.normalizer = normalizer;
    this.clsId = specials.cls;
    this.sepId = specials.sep;
    this.padId = specials.pad;
    this.#added = added.sort((a, b) => b.content.length - a.content.length);
  }

  /**
   * Builds the tokenizer from a parsed `tokenizer.json`.
   *
   * @param json The parsed file.
   * @param where The file's path, for messages.
   * @returns The tokenizer.
   * @throws {RangeError} Naming the field when the file describes another kind of tokenizer.
   * @example
   * ```ts
   * import { WordPieceTokenizer } from "./tokenizer.ts";
   * const vocab = { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "!": 5 };
   * const tok = WordPieceTokenizer.fromJson({
   *   normalizer: { type: "BertNormalizer", lowercase: true },
   *   pre_tokenizer: { type: "BertPreTokenizer" },
   *   model: { type: "WordPiece", vocab, unk_token: "[UNK]" },
   * }, "tokenizer.json");
   * if (tok.encode("Hello!", 16).join() !== "2,4,5,3") throw new Error();
   * ```
   */
  static fromJson(json: Json, where: string): WordPieceTokenizer {
    const refuse = (field: string, value: unknown, want: string): never => {
      throw new RangeError(
        `Cannot read tokenizer '${where}' as field '${field}' is ${JSON.stringify(value)}: ` +
          `serflow reads ${want} (the tokenizer of BERT-family models)`,
      );
    };
    const m = json?.model;
    if (m?.type !== "WordPiece") refuse("model.type", m?.type, "WordPiece");
    const n = json.normalizer;
    if (n && n.type !== "BertNormalizer") refuse("normalizer.type", n.type, "BertNormalizer");
    const p = json.pre_tokenizer;
    if (p && p.type !== "BertPreTokenizer") {
      refuse("pre_tokenizer.type", p.type, "BertPreTokenizer");
    }
    const vocab = new Map<string, number>(Object.entries(m.vocab ?? {}));
    const id = (token: string, field: string): number => {
      const v = vocab.get(token);
      if (v === undefined) refuse(field, token, "a token that is in model.vocab");
      return v!;
    };
    const unkId = id(m.unk_token ?? "[UNK]", "model.unk_token");
    const specials = _specials(json.post_processor, vocab) ??
      { cls: id("[CLS]", "post_processor"), sep: id("[SEP]", "post_processor") };
    const pad = vocab.get(json.padding?.pad_token ?? "[PAD]") ?? 0;
    const added = ((json.added_tokens ?? []) as Json[])
      .filter((t) => t.special && typeof t.content === "string" && t.content.length > 0)
      .map((t) => ({ content: t.content as string, id: t.id as number }));
    return new WordPieceTokenizer(
      {
        vocab,
        unkId,
        prefix: m.continuing_subword_prefix ?? "##",
        maxInputCharsPerWord: m.max_input_chars_per_word ?? 100,
      },
      n
        ? {
          cleanText: n.clean_text ?? true,
          handleChineseChars: n.handle_chinese_chars ?? true,
          stripAccents: n.strip_accents ?? null,
          lowercase: n.lowercase ?? true,
        }
        : null,
      { ...specials, pad },
      added,
    );
  }

  /**
   * The ids of a text's words, without `[CLS]`/`[SEP]` and without truncation.
   *
   * @param text Raw text.
   * @returns The ids.
   */
  wordIds(text: string): number[] {
    const out: number[] = [];
    for (const part of this.#splitAdded(text)) {
      if (typeof part === "number") {
        out.push(part);
        continue;
      }
      const norm = this.normalizer ? bertNormalize(part, this.normalizer) : part;
      for (const word of bertPreTokenize(norm)) wordPiece(word, this.model, out);
    }
    return out;
  }

  /**
   * The model input of a text: `[CLS]`, the last `maxTokens - 2` word ids, `[SEP]`.
   *
   * @param text Raw text.
   * @param maxTokens Longest sequence, specials included (at least 2).
   * @returns The ids.
   */
  encode(text: string, maxTokens: number): Uint32Array {
    const ids = this.wordIds(text);
    const keep = Math.max(0, Math.min(ids.length, maxTokens - 2));
    const out = new Uint32Array(keep + 2);
    out[0] = this.clsId;
    for (let i = 0; i < keep; i++) out[i + 1] = ids[ids.length - keep + i];
    out[keep + 1] = this.sepId;
    return out;
  }

  #splitAdded(text: string): (string | number)[] {
    if (this.#added.length === 0) return [text];
    const parts: (string | number)[] = [];
    let start = 0, i = 0;
    outer: while (i < text.length) {
      for (const a of this.#added) {
        if (text.startsWith(a.content, i)) {
          if (i > start) parts.push(text.slice(start, i));
          parts.push(a.id);
          i += a.content.length;
          start = i;
          continue outer;
        }
      }
      i++;
    }
    if (start < text.length) parts.push(text.slice(start));
    return parts;
  }
}

function _specials(
  post: Json,
  vocab: Map<string, number>,
): { cls: number; sep: number } | null {
  if (!post) return null;
  if (post.type === "BertProcessing") return { cls: post.cls[1], sep: post.sep[1] };
  if (post.type === "TemplateProcessing") {
    const single: Json[] = post.single ?? [];
    const tokens = single.filter((s) => s.SpecialToken).map((s) => s.SpecialToken.id as string);
    const ids = tokens.map((t) => post.special_tokens?.[t]?.ids?.[0] ?? vocab.get(t));
    if (ids.length === 2 && ids.every((v) => typeof v === "number")) {
      return { cls: ids[0], sep: ids[1] };
    }
  }
  throw new RangeError(
    `Cannot read the post_processor of the tokenizer as it is ${post.type}: serflow reads ` +
      `BertProcessing or a TemplateProcessing of the form "[CLS] $A [SEP]"`,
  );
}

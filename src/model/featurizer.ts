/**
 * Text to hashed token ids: lower-cased word tokens (see `tokenize.ts`), word n-grams, optional
 * character n-grams inside words, hashed with a seeded MurmurHash3-style mix into `buckets`.
 *
 * - Prompt and response texts hash in separate namespaces (different seeds), so the same word
 *   in a prompt and in a response gets unrelated ids.
 * - Ids come out in text order: at each token, its word n-grams ending there (shortest first),
 *   then its character n-grams. A text with more than `maxTokens` ids keeps the LAST ones (in a
 *   conversation the answer is at the end).
 * - Character n-grams run over the word wrapped in `<` and `>` (fastText style), counted in
 *   UTF-16 code units.
 *
 * @module
 */
import { hashString } from "../contracts/rng.ts";
import { fmix32, hashRange, mixStep } from "./hash.ts";
import { scanTokens, TokenBuffer, WORD } from "./tokenize.ts";

/** How texts become token ids. Every field changes the ids, so checkpoints record all of them. */
export interface FeaturizerConfig {
  /** Ids are in `[0, buckets)`; must equal the model's `buckets`. */
  buckets: number;
  /** Shortest and longest word n-gram (1 = single words); `ngramMax` 0 (with character n-grams on) leaves words out. */
  ngramMin: number;
  ngramMax: number;
  /** Shortest and longest character n-gram inside words; `charNgramMax` 0 turns them off. */
  charNgramMin: number;
  charNgramMax: number;
  /** The most ids kept per text (the last ones). */
  maxTokens: number;
  /** Keep punctuation and symbols as one-character tokens. */
  punctuation: boolean;
  /** Hash seed (changes every id). */
  seed: number;
}

/** The defaults: words and word bigrams, no character n-grams, 2^18 buckets, 1024 ids per text. */
export const DEFAULT_FEATURIZER: FeaturizerConfig = {
  buckets: 262144,
  ngramMin: 1,
  ngramMax: 2,
  charNgramMin: 3,
  charNgramMax: 0,
  maxTokens: 1024,
  punctuation: true,
  seed: 0,
};

/** Which hash namespace a text belongs to. */
export type Namespace = "prompt" | "response";

/** Token ids of many texts in CSR form: text i is `ids[offsets[i], offsets[i + 1])`. */
export interface CsrIds {
  offsets: Uint32Array;
  ids: Uint32Array;
}

function checkConfig(c: FeaturizerConfig): void {
  const bad = (what: string, v: unknown) => {
    throw new RangeError(`Cannot create featurizer as ${what}: current value is ${v}`);
  };
  if (!Number.isInteger(c.buckets) || c.buckets < 1 || c.buckets > 2 ** 31) {
    bad("'buckets' must be an integer in [1, 2^31]", c.buckets);
  }
  if (!Number.isInteger(c.ngramMin) || c.ngramMin < 1) bad("'ngramMin' must be >= 1", c.ngramMin);
  const wordsOff = c.ngramMax === 0 && c.charNgramMax > 0;
  if (!Number.isInteger(c.ngramMax) || (c.ngramMax < c.ngramMin && !wordsOff) || c.ngramMax > 8) {
    bad("'ngramMax' must be an integer in [ngramMin, 8] (or 0 with character n-grams)", c.ngramMax);
  }
  const charOk = c.charNgramMax === 0 ||
    (c.charNgramMin >= 1 && c.charNgramMax >= c.charNgramMin && c.charNgramMax <= 8);
  if (!charOk || !Number.isInteger(c.charNgramMin) || !Number.isInteger(c.charNgramMax)) {
    bad(
      "'charNgramMax' must be 0 (off) or in ['charNgramMin', 8] with 'charNgramMin' >= 1",
      c.charNgramMax,
    );
  }
  if (!Number.isInteger(c.maxTokens) || c.maxTokens < 1) {
    bad("'maxTokens' must be >= 1", c.maxTokens);
  }
}

/** Turns texts into hashed token ids. Reuses its scratch buffers: one instance per thread of work. */
export class Featurizer {
  readonly config: FeaturizerConfig;
  #tokens = new TokenBuffer();
  #tokHash = new Uint32Array(256);
  #ids = new Uint32Array(1024);
  #seeds: Record<Namespace, { token: number; word: Uint32Array; char: Uint32Array }>;
  #mask: number;

  /**
   * @param config The featurizer settings (see `DEFAULT_FEATURIZER`).
   * @example
   * ```ts
   * import { DEFAULT_FEATURIZER, Featurizer } from "./featurizer.ts";
   * const f = new Featurizer({ ...DEFAULT_FEATURIZER, buckets: 1024 });
   * const ids = f.textIds("Hello world", "response");
   * if (ids.length !== 3 || ids.some((id) => id >= 1024)) throw new Error(); // 2 words, 1 bigram
   * ```
   */
  constructor(config: FeaturizerConfig) {
    checkConfig(config);
    this.config = { ...config };
    const pow2 = (config.buckets & (config.buckets - 1)) === 0 && config.buckets <= 2 ** 30;
    this.#mask = pow2 ? config.buckets - 1 : -1;
    const seeds = (ns: Namespace) => {
      const base = fmix32((config.seed >>> 0) ^ hashString(ns));
      const per = (salt: number) =>
        Uint32Array.from({ length: 9 }, (_, n) => fmix32(mixStep(base ^ salt, n)));
      return { token: fmix32(base ^ 0x2545f491), word: per(0x9e3779b9), char: per(0x7f4a7c15) };
    };
    this.#seeds = { prompt: seeds("prompt"), response: seeds("response") };
  }

  /**
   * The ids of one text, in order, capped to the last `maxTokens`.
   *
   * @param text The text (lower-cased here).
   * @param ns The namespace: `prompt` or `response`.
   * @returns A view into a scratch buffer, valid until the next call on this featurizer.
   */
  textIds(text: string, ns: Namespace): Uint32Array {
    const count = this.#emit(text, ns);
    const keep = Math.min(count, this.config.maxTokens);
    return this.#ids.subarray(count - keep, count);
  }

  /**
   * Featurizes many texts into CSR (null or undefined texts give no ids).
   *
   * @param texts The texts, e.g. an Arrow utf8 column's values.
   * @param ns The namespace: `prompt` or `response`.
   * @returns Offsets (`texts.length + 1`) and ids.
   */
  featurizeTexts(texts: ArrayLike<string | null | undefined>, ns: Namespace): CsrIds {
    const n = texts.length;
    const offsets = new Uint32Array(n + 1);
    let out = new Uint32Array(Math.max(1024, n * 64));
    let used = 0;
    for (let i = 0; i < n; i++) {
      const t = texts[i];
      if (t) {
        const ids = this.textIds(t, ns);
        if (used + ids.length > out.length) {
          const grown = new Uint32Array(Math.max(out.length * 2, used + ids.length));
          grown.set(out.subarray(0, used));
          out = grown;
        }
        out.set(ids, used);
        used += ids.length;
      }
      offsets[i + 1] = used;
    }
    return { offsets, ids: out.slice(0, used) };
  }

  #emit(text: string, ns: Namespace): number {
    const c = this.config, seeds = this.#seeds[ns], tok = this.#tokens;
    const s = text.toLowerCase();
    const nt = scanTokens(s, c.punctuation, tok);
    const wordOrders = Math.max(0, c.ngramMax - c.ngramMin + 1);
    const charOrders = c.charNgramMax > 0 ? c.charNgramMax - c.charNgramMin + 1 : 0;
    this.#reserve(nt * wordOrders + (s.length + 2 * nt) * charOrders);
    if (this.#tokHash.length < nt) this.#tokHash = new Uint32Array(nt * 2);
    const th = this.#tokHash, ids = this.#ids, mask = this.#mask, buckets = c.buckets;
    let count = 0;
    for (let i = 0; i < nt; i++) {
      const start = tok.starts[i], end = tok.ends[i];
      th[i] = hashRange(s, start, end, seeds.token);
      for (let n = c.ngramMin; n <= c.ngramMax && n <= i + 1; n++) {
        let g = seeds.word[n];
        for (let k = i - n + 1; k <= i; k++) g = mixStep(g, th[k]);
        const h = fmix32(g ^ n);
        ids[count++] = mask >= 0 ? h & mask : h % buckets;
      }
      if (charOrders === 0 || tok.kinds[i] !== WORD) continue;
      const len = end - start + 2; // the word wrapped in '<' and '>'
      for (let n = c.charNgramMin; n <= c.charNgramMax && n <= len; n++) {
        for (let j = 0; j + n <= len; j++) {
          let g = seeds.char[n];
          for (let q = j; q < j + n; q++) {
            g = mixStep(g, q === 0 ? 0x3c : q === len - 1 ? 0x3e : s.charCodeAt(start + q - 1));
          }
          const h = fmix32(g ^ n);
          ids[count++] = mask >= 0 ? h & mask : h % buckets;
        }
      }
    }
    return count;
  }

  #reserve(n: number): void {
    if (n > this.#ids.length) this.#ids = new Uint32Array(Math.max(n, this.#ids.length * 2));
  }
}

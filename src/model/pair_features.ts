/**
 * `PairFeatures` from Arrow pair batches: the id columns of featurized batches (or the text,
 * featurized on the fly), or the precomputed embedding columns, concatenated over batches.
 *
 * @module
 */
import type { Data } from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import { type CsrIds, Featurizer, type FeaturizerConfig } from "./featurizer.ts";
import { FeatureCache } from "./feature_cache.ts";
import { csrFromList, featurizePairs, ID_COLUMNS } from "./id_columns.ts";
import type { ModelConfig, PairFeatures } from "./types.ts";

/** The embedding columns of precomputed-embedding batches. */
export const EMBEDDING_COLUMNS = { prompt: "prompt_emb", a: "a_emb", b: "b_emb" } as const;

/** Where features come from: the model's input kind and width, and how to featurize text. */
export interface FeatureSource {
  input: ModelConfig["input"];
  dim: number;
  /** Featurizes the text of batches without id columns (required for those). */
  featurizer?: FeaturizerConfig;
  /** Where featurized batches are looked up and stored (by content hash and settings). */
  cache?: FeatureCache;
}

function concatCsr(parts: CsrIds[]): { offsets: Uint32Array; ids: Uint32Array } {
  const n = parts.reduce((a, p) => a + p.offsets.length - 1, 0);
  const total = parts.reduce((a, p) => a + p.ids.length, 0);
  const offsets = new Uint32Array(n + 1), ids = new Uint32Array(total);
  let row = 0, used = 0;
  for (const p of parts) {
    ids.set(p.ids, used);
    for (let i = 1; i < p.offsets.length; i++) offsets[++row] = used + p.offsets[i];
    used += p.ids.length;
  }
  return { offsets, ids };
}

function embeddingValues(batch: Batch, name: string, dim: number, where: string): Float32Array {
  const col = batch.getChild(name);
  if (!col) {
    throw new Error(
      `Cannot read embeddings as ${where} has no '${name}' column: input "embedding" needs ` +
        `FixedSizeList<Float32> columns ${Object.values(EMBEDDING_COLUMNS).join(", ")}`,
    );
  }
  const out = new Float32Array(batch.numRows * dim);
  let row = 0;
  for (const d of col.data as Data[]) {
    // deno-lint-ignore no-explicit-any
    const size = (d.type as any).listSize, child = d.children[0];
    if (size !== dim || !(child?.values instanceof Float32Array)) {
      const fix = child?.values instanceof Float32Array && size > 0
        ? `: set model.dim to ${size}, the width of these vectors`
        : "";
      throw new RangeError(
        `Cannot read embeddings as column '${name}' of ${where} is ${d.type}: expected ` +
          `FixedSizeList<Float32> of model.dim (${dim})${fix}`,
      );
    }
    if (d.nullCount > 0 || child.nullCount > 0) {
      throw new RangeError(
        `Cannot read embeddings as column '${name}' of ${where} has nulls: fill or drop those rows`,
      );
    }
    out.set(child.values.subarray(0, d.length * dim), row * dim);
    row += d.length;
  }
  return out;
}

/**
 * Concatenates the features of `batches` (rows in order, batch after batch).
 *
 * With `input: "bag"`, a batch with `prompt_ids`, `a_ids` and `b_ids` columns gives those; one
 * without them is featurized from its text with `source.featurizer`. With `input: "embedding"`,
 * the `prompt_emb`, `a_emb`, `b_emb` columns are read (offsets are all zero, ids empty).
 *
 * @param batches Pair batches.
 * @param source The input kind, width and featurizer (`{ ...modelConfig, featurizer }` fits).
 * @returns The features of all rows.
 * @example
 * ```ts
 * import { featuresFromBatches } from "./pair_features.ts";
 * import { DEFAULT_FEATURIZER } from "./featurizer.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const row = { pair_id: "p", group_id: "g", prompt: "Hi there", response_a: "Hello!",
 *   response_b: "Go away", label: 1 as const, split: "seed" as const, gold: null, source: "x" };
 * const f = featuresFromBatches([pairBatch([row]), pairBatch([row])],
 *   { input: "bag", dim: 64, featurizer: DEFAULT_FEATURIZER });
 * if (f.n !== 2 || f.promptOffsets[2] !== 6) throw new Error(); // 2 words + 1 bigram, twice
 * ```
 */
export function featuresFromBatches(
  batches: readonly Batch[],
  source: FeatureSource,
): PairFeatures {
  const n = batches.reduce((a, b) => a + b.numRows, 0);
  if (source.input === "embedding") {
    const parts = {
      prompt: [] as Float32Array[],
      a: [] as Float32Array[],
      b: [] as Float32Array[],
    };
    batches.forEach((batch, k) => {
      for (const key of ["prompt", "a", "b"] as const) {
        parts[key].push(embeddingValues(batch, EMBEDDING_COLUMNS[key], source.dim, `batch ${k}`));
      }
    });
    const join = (xs: Float32Array[]) => {
      const out = new Float32Array(n * source.dim);
      let at = 0;
      for (const x of xs) out.set(x, at), at += x.length;
      return out;
    };
    const zero = new Uint32Array(n + 1), none = new Uint32Array(0);
    return {
      n,
      promptOffsets: zero,
      promptIds: none,
      aOffsets: zero,
      aIds: none,
      bOffsets: zero,
      bIds: none,
      promptEmb: join(parts.prompt),
      aEmb: join(parts.a),
      bEmb: join(parts.b),
    };
  }
  let featurizer: Featurizer | undefined;
  const p: CsrIds[] = [], a: CsrIds[] = [], b: CsrIds[] = [];
  batches.forEach((batch, k) => {
    const cols = Object.values(ID_COLUMNS).map((c) => batch.getChild(c));
    if (cols.every((c) => c)) {
      p.push(csrFromList(cols[0])), a.push(csrFromList(cols[1])), b.push(csrFromList(cols[2]));
      return;
    }
    if (!source.featurizer) {
      throw new Error(
        `Cannot read token ids as batch ${k} has no ${
          Object.values(ID_COLUMNS).join("/")
        } columns ` +
          `and no featurizer settings were given: add a featurize stage or pass 'featurizer'`,
      );
    }
    const key = source.cache ? FeatureCache.key(batch, source.featurizer) : null;
    let ids = key ? source.cache!.get(key) : null;
    if (!ids) {
      featurizer ??= new Featurizer(source.featurizer);
      ids = featurizePairs(batch, featurizer);
      if (key) source.cache!.put(key, ids);
    }
    p.push(ids.prompt), a.push(ids.a), b.push(ids.b);
  });
  const pc = concatCsr(p), ac = concatCsr(a), bc = concatCsr(b);
  return {
    n,
    promptOffsets: pc.offsets,
    promptIds: pc.ids,
    aOffsets: ac.offsets,
    aIds: ac.ids,
    bOffsets: bc.offsets,
    bIds: bc.ids,
  };
}

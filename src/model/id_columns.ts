/**
 * Arrow columns of token ids: CSR (offsets + ids) to `List<Uint32>` Data without going through
 * JS arrays, and back; text columns to strings; and the featurization of a whole pair batch.
 *
 * @module
 */
import { type Data, Field, List, makeData, Uint32 } from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import { withColumns } from "../data/schema.ts";
import { FeatureCache } from "./feature_cache.ts";
import type { CsrIds, Featurizer } from "./featurizer.ts";

/** The id columns a featurized pair batch carries, by text column. */
export const ID_COLUMNS = {
  prompt: "prompt_ids",
  response_a: "a_ids",
  response_b: "b_ids",
} as const;

/**
 * Wraps CSR ids as an Arrow `List<Uint32>` column (the arrays are shared, not copied).
 *
 * @param csr Offsets (`rows + 1`, from 0) and ids.
 * @returns The list Data.
 * @example
 * ```ts
 * import { csrFromList, listFromCsr } from "./id_columns.ts";
 * const data = listFromCsr({ offsets: new Uint32Array([0, 2, 2]), ids: new Uint32Array([5, 6]) });
 * if (data.length !== 2 || csrFromList(data).ids[1] !== 6) throw new Error();
 * ```
 */
export function listFromCsr(csr: CsrIds): Data<List<Uint32>> {
  const n = csr.offsets.length - 1;
  if (n < 0 || csr.offsets[n] > 0x7fffffff) {
    throw new RangeError(
      `Cannot build an id column from ${csr.ids.length} ids: Arrow lists hold at most 2^31 - 1`,
    );
  }
  const o = csr.offsets;
  const child = makeData({ type: new Uint32(), length: csr.ids.length, data: csr.ids });
  return makeData({
    type: new List(new Field("item", new Uint32(), false)),
    length: n,
    nullCount: 0,
    valueOffsets: new Int32Array(o.buffer, o.byteOffset, o.length),
    child,
  });
}

/**
 * Reads a `List<Uint32>` column (one or more Data chunks, possibly sliced) back into CSR.
 * Null lists read as empty.
 *
 * @param column An Arrow Vector or Data of `List<Uint32>`.
 * @returns Offsets from 0 and the ids (copied into fresh arrays).
 * @example
 * ```ts
 * import { csrFromList, listFromCsr } from "./id_columns.ts";
 * const data = listFromCsr({ offsets: new Uint32Array([0, 1, 3]), ids: new Uint32Array([4, 5, 6]) });
 * const tail = csrFromList(data.slice(1, 1));
 * if (tail.offsets[1] !== 2 || tail.ids[0] !== 5) throw new Error();
 * ```
 */
// deno-lint-ignore no-explicit-any
export function csrFromList(column: any): CsrIds {
  const chunks: Data[] = Array.isArray(column.data) ? column.data : [column];
  const n = chunks.reduce((a, d) => a + d.length, 0);
  let total = 0;
  for (const d of chunks) total += d.valueOffsets[d.length] - d.valueOffsets[0];
  const offsets = new Uint32Array(n + 1), ids = new Uint32Array(total);
  let row = 0, used = 0;
  for (const d of chunks) {
    const vo = d.valueOffsets as Int32Array, values = d.children[0].values as Uint32Array;
    const valid = d.nullCount > 0 ? (i: number) => d.getValid(i) : () => true;
    for (let i = 0; i < d.length; i++, row++) {
      if (valid(i)) {
        ids.set(values.subarray(vo[i], vo[i + 1]), used);
        used += vo[i + 1] - vo[i];
      }
      offsets[row + 1] = used;
    }
  }
  return { offsets, ids: used === total ? ids : ids.slice(0, used) };
}

const decoder = new TextDecoder();

/**
 * The strings of a utf8 column (null as null), decoded chunk by chunk.
 *
 * @param column An Arrow Vector of `Utf8`.
 * @returns One string (or null) per row.
 * @example
 * ```ts
 * import { textsOf } from "./id_columns.ts";
 * import { Utf8, vectorFromArray } from "apache-arrow";
 * const t = textsOf(vectorFromArray(["héllo", null], new Utf8()));
 * if (t[0] !== "héllo" || t[1] !== null) throw new Error();
 * ```
 */
// deno-lint-ignore no-explicit-any
export function textsOf(column: any): (string | null)[] {
  const out: (string | null)[] = [];
  for (const d of column.data as Data[]) {
    const vo = d.valueOffsets as Int32Array, bytes = d.values as Uint8Array;
    for (let i = 0; i < d.length; i++) {
      out.push(
        d.nullCount > 0 && !d.getValid(i) ? null : decoder.decode(bytes.subarray(vo[i], vo[i + 1])),
      );
    }
  }
  return out;
}

/**
 * The token ids of a pair batch's three text columns.
 *
 * @param batch A pair batch (`prompt`, `response_a`, `response_b`).
 * @param featurizer The featurizer.
 * @returns CSR ids per text column.
 * @throws {Error} When a text column is missing.
 * @example
 * ```ts
 * import { featurizePairs } from "./id_columns.ts";
 * import { DEFAULT_FEATURIZER, Featurizer } from "./featurizer.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const ids = featurizePairs(pairBatch([{ pair_id: "p", group_id: "g", prompt: "a b", response_a: "c",
 *   response_b: "", label: null, split: "", gold: null, source: "x" }]), new Featurizer(DEFAULT_FEATURIZER));
 * if (ids.prompt.ids.length !== 3 || ids.b.offsets[1] !== 0) throw new Error();
 * ```
 */
export function featurizePairs(
  batch: Batch,
  featurizer: Featurizer,
): { prompt: CsrIds; a: CsrIds; b: CsrIds } {
  const col = (name: string) => {
    const c = batch.getChild(name);
    if (!c) {
      throw new Error(
        `Cannot featurize batch as it has no '${name}' column: columns are ${
          batch.schema.fields.map((f) => f.name).join(", ")
        }`,
      );
    }
    return textsOf(c);
  };
  return {
    prompt: featurizer.featurizeTexts(col("prompt"), "prompt"),
    a: featurizer.featurizeTexts(col("response_a"), "response"),
    b: featurizer.featurizeTexts(col("response_b"), "response"),
  };
}

/**
 * Adds (or replaces) the `prompt_ids`, `a_ids` and `b_ids` columns of a pair batch.
 *
 * @param batch A pair batch.
 * @param featurizer The featurizer.
 * @param cache Where to look the ids up first and store them after (by content hash).
 * @returns The batch with the id columns.
 * @example
 * ```ts
 * import { featurizeBatch } from "./id_columns.ts";
 * import { DEFAULT_FEATURIZER, Featurizer } from "./featurizer.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const b = featurizeBatch(pairBatch([{ pair_id: "p", group_id: "g", prompt: "hi", response_a: "yes",
 *   response_b: "no", label: 1, split: "", gold: null, source: "x" }]), new Featurizer(DEFAULT_FEATURIZER));
 * if (b.getChild("a_ids")?.get(0)?.length !== 1) throw new Error();
 * ```
 */
export function featurizeBatch(batch: Batch, featurizer: Featurizer, cache?: FeatureCache): Batch {
  const key = cache ? FeatureCache.key(batch, featurizer.config) : null;
  let ids = key ? cache!.get(key) : null;
  if (!ids) {
    ids = featurizePairs(batch, featurizer);
    if (key) cache!.put(key, ids);
  }
  const { prompt, a, b } = ids;
  return withColumns(batch, {
    [ID_COLUMNS.prompt]: listFromCsr(prompt),
    [ID_COLUMNS.response_a]: listFromCsr(a),
    [ID_COLUMNS.response_b]: listFromCsr(b),
  });
}

/**
 * A cache of featurized token ids on disk: one file per pair batch, named by a SHA-256 of the
 * featurizer settings and the batch's three text columns, so the same texts are tokenized once
 * across runs that share the cache folder (`compare`'s seeds and methods, `--resume`). Files are
 * written whole (temporary file, then rename); an unreadable or truncated one is recomputed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Data } from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import type { CsrIds, FeaturizerConfig } from "./featurizer.ts";

/** The ids of one batch's prompt, response a and response b. */
export interface BatchIds {
  prompt: CsrIds;
  a: CsrIds;
  b: CsrIds;
}

const MAGIC = 0x53464331; // "SFC1"
const TEXT_COLUMNS = ["prompt", "response_a", "response_b"] as const;

/** Featurized ids by content hash, in a folder. */
export class FeatureCache {
  readonly dir: string;
  /** Batches found in the cache and batches written to it by this instance. */
  hits = 0;
  misses = 0;

  /** @param dir The cache folder (made on first write). */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * The key of a batch's texts under some featurizer settings.
   *
   * @param batch A pair batch with `prompt`, `response_a` and `response_b`.
   * @param cfg The featurizer settings.
   * @returns A hex SHA-256, or null when a text column is missing.
   * @example
   * ```ts
   * import { FeatureCache } from "./feature_cache.ts";
   * import { DEFAULT_FEATURIZER } from "./featurizer.ts";
   * import { pairBatch } from "../data/schema.ts";
   * const row = { pair_id: "p", group_id: "g", prompt: "hi", response_a: "a", response_b: "b",
   *   label: null, split: "" as const, gold: null, source: "x" };
   * const k1 = FeatureCache.key(pairBatch([row]), DEFAULT_FEATURIZER);
   * const k2 = FeatureCache.key(pairBatch([{ ...row, response_b: "c" }]), DEFAULT_FEATURIZER);
   * if (k1 === k2 || k1 !== FeatureCache.key(pairBatch([row]), DEFAULT_FEATURIZER)) throw new Error();
   * ```
   */
  static key(batch: Batch, cfg: FeaturizerConfig): string | null {
    const h = createHash("sha256");
    h.update(JSON.stringify({ v: 1, cfg, rows: batch.numRows }));
    for (const name of TEXT_COLUMNS) {
      const col = batch.getChild(name);
      if (!col) return null;
      h.update(`|${name}|`);
      for (const d of col.data as Data[]) {
        const vo = d.valueOffsets as Int32Array, bytes = d.values as Uint8Array;
        const lens = new Int32Array(d.length);
        for (let i = 0; i < d.length; i++) {
          lens[i] = d.nullCount > 0 && !d.getValid(i) ? -1 : vo[i + 1] - vo[i];
        }
        h.update(new Uint8Array(lens.buffer));
        h.update(bytes.subarray(vo[0], vo[d.length]));
      }
    }
    return h.digest("hex");
  }

  /**
   * The cached ids of `key`, or null when absent or unreadable.
   *
   * @param key From `FeatureCache.key`.
   * @returns The ids.
   */
  get(key: string): BatchIds | null {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(join(this.dir, `${key}.ids`));
    } catch {
      return null;
    }
    const out = _decode(bytes);
    if (out) this.hits++;
    return out;
  }

  /**
   * Stores the ids of `key` (best effort: a failed write only costs a recomputation later).
   *
   * @param key From `FeatureCache.key`.
   * @param ids The batch's ids.
   */
  put(key: string, ids: BatchIds): void {
    this.misses++;
    const parts = [ids.prompt, ids.a, ids.b];
    const head = new Uint32Array([
      MAGIC,
      ...parts.flatMap((p) => [p.offsets.length, p.ids.length]),
    ]);
    const total = head.length + parts.reduce((s, p) => s + p.offsets.length + p.ids.length, 0);
    const all = new Uint32Array(total);
    all.set(head);
    let at = head.length;
    for (const p of parts) {
      all.set(p.offsets, at), at += p.offsets.length, all.set(p.ids, at), at += p.ids.length;
    }
    const file = join(this.dir, `${key}.ids`), tmp = `${file}.${crypto.randomUUID()}.tmp`;
    try {
      Deno.mkdirSync(this.dir, { recursive: true });
      Deno.writeFileSync(tmp, new Uint8Array(all.buffer));
      Deno.renameSync(tmp, file);
    } catch {
      try {
        Deno.removeSync(tmp);
      } catch { /* nothing written */ }
    }
  }
}

function _decode(bytes: Uint8Array): BatchIds | null {
  if (bytes.byteLength % 4 !== 0 || bytes.byteLength < 28) return null;
  const u = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (u[0] !== MAGIC) return null;
  let at = 7;
  const parts: CsrIds[] = [];
  for (let k = 0; k < 3; k++) {
    const no = u[1 + 2 * k], ni = u[2 + 2 * k];
    if (at + no + ni > u.length || no < 1) return null;
    const offsets = u.slice(at, at + no), ids = u.slice(at + no, at + no + ni);
    if (offsets[0] !== 0 || offsets[no - 1] !== ni) return null;
    parts.push({ offsets, ids }), at += no + ni;
  }
  return at === u.length ? { prompt: parts[0], a: parts[1], b: parts[2] } : null;
}

/**
 * The feature cache of a stage's run: `<cacheDir>/features`, or none without a cache folder.
 *
 * @param ctx The stage context (its `cacheDir`).
 * @returns The cache, or undefined.
 * @example
 * ```ts
 * import { featureCacheFor } from "./feature_cache.ts";
 * if (featureCacheFor({}) !== undefined) throw new Error();
 * if (!featureCacheFor({ cacheDir: "/tmp/c" })?.dir.endsWith("features")) throw new Error();
 * ```
 */
export function featureCacheFor(ctx: { cacheDir?: string }): FeatureCache | undefined {
  return ctx.cacheDir ? new FeatureCache(join(ctx.cacheDir, "features")) : undefined;
}

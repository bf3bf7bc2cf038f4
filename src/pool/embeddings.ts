/**
 * The `embeddings` table: pooled text vectors of pretrained encoders, cached by encoder key and
 * text hash so that no run embeds a text twice.
 *
 * @module
 */
import { BLOB, blobValue, type DuckDBConnection, INTEGER, VARCHAR } from "@duckdb/node-api";
import { appendRows } from "./append_rows.ts";

const STAGE_KEYS = `CREATE TEMP TABLE IF NOT EXISTS _stage_embedding_keys (text_hash VARCHAR)`;
const STAGE_ROWS = `CREATE TEMP TABLE IF NOT EXISTS _stage_embeddings (
  text_hash VARCHAR, tokens INTEGER, vector BLOB)`;

/** Cached vectors found for some text hashes. */
export interface CachedEmbeddings {
  /** Vector per text hash (only the hashes found). */
  vectors: Map<string, Float32Array>;
  /** Token count per text hash (as embedded). */
  tokens: Map<string, number>;
}

/**
 * Reads the cached vectors of `hashes` (missing ones are absent from the result).
 *
 * @param conn A connection to the pool.
 * @param modelKey The encoder key.
 * @param hashes Text hashes.
 * @returns The vectors and token counts found.
 */
export async function readEmbeddings(
  conn: DuckDBConnection,
  modelKey: string,
  hashes: readonly string[],
): Promise<CachedEmbeddings> {
  const out: CachedEmbeddings = { vectors: new Map(), tokens: new Map() };
  if (hashes.length === 0) return out;
  await conn.run(STAGE_KEYS);
  await conn.run("DELETE FROM _stage_embedding_keys");
  await appendRows(
    conn,
    "_stage_embedding_keys",
    [{ type: VARCHAR, value: (i) => hashes[i] }],
    hashes.length,
  );
  const r = await conn.runAndReadAll(
    `SELECT e.text_hash, e.tokens, e.vector FROM embeddings e
     SEMI JOIN _stage_embedding_keys k ON e.text_hash = k.text_hash WHERE e.model_key = $1`,
    [modelKey],
  );
  for (const [hash, tokens, blob] of r.getRows()) {
    const bytes = (blob as { bytes: Uint8Array }).bytes;
    out.vectors.set(String(hash), new Float32Array(bytes.slice().buffer));
    out.tokens.set(String(hash), Number(tokens));
  }
  return out;
}

/**
 * Stores vectors (a hash already stored for the key is left as it is).
 *
 * @param conn A connection inside a transaction on a writable pool.
 * @param modelKey The encoder key.
 * @param dim Vector width.
 * @param hashes Text hashes, one per vector.
 * @param vectors `[hashes.length, dim]` row-major.
 * @param tokens Tokens embedded per text.
 * @returns Rows added.
 */
export async function writeEmbeddings(
  conn: DuckDBConnection,
  modelKey: string,
  dim: number,
  hashes: readonly string[],
  vectors: Float32Array,
  tokens: ArrayLike<number>,
): Promise<number> {
  if (hashes.length === 0) return 0;
  if (vectors.length !== hashes.length * dim) {
    throw new RangeError(
      `Cannot store ${hashes.length} embeddings of width ${dim} from ${vectors.length} values`,
    );
  }
  await conn.run(STAGE_ROWS);
  await conn.run("DELETE FROM _stage_embeddings");
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  await appendRows(conn, "_stage_embeddings", [
    { type: VARCHAR, value: (i) => hashes[i] },
    { type: INTEGER, value: (i) => tokens[i] },
    { type: BLOB, value: (i) => blobValue(bytes.slice(4 * i * dim, 4 * (i + 1) * dim)) },
  ], hashes.length);
  const r = await conn.run(
    `INSERT INTO embeddings (model_key, text_hash, dim, tokens, vector)
     SELECT $1, text_hash, $2, tokens, vector FROM _stage_embeddings ON CONFLICT DO NOTHING`,
    [modelKey, dim],
  );
  return Number(r.rowsChanged);
}

/**
 * `Pool`: the labelled pool of a run, a DuckDB file (see `docs/pool.md`). One handle serializes its
 * work on one connection; `transaction` makes a group of writes atomic.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Batch } from "../contracts/types.ts";
import { ensurePoolFile } from "./create_file.ts";
import { acquireInstance, type InstanceLease } from "./instances.ts";
import { SerialQueue } from "./serial_queue.ts";
import { checkVersion, migrate, schemaVersion } from "./migrate.ts";
import { createStaging } from "./staging.ts";
import { PoolTransaction } from "./transaction.ts";
import type { InsertPairsOptions } from "./write_pairs.ts";
import { labelsAsOf } from "./read_labels.ts";
import { readPairs, type ReadPairsOptions } from "./read_pairs.ts";
import { type QueryResult, runQuery, type RunQueryOptions } from "./query.ts";
import { type ChunkHandler, queryChunks } from "./query_chunks.ts";
import * as runs from "./runs.ts";
import { type CachedEmbeddings, readEmbeddings, writeEmbeddings } from "./embeddings.ts";
import type {
  AppendLabelOptions,
  IterationEntry,
  LabelColumns,
  LabelRows,
  ModelEntry,
  RejectRow,
  RunInfo,
  RunStart,
  RunStatus,
} from "./types.ts";

/** Options of `Pool.open`. */
export interface PoolOpenOptions {
  /** Open an existing pool without the right to change it (other readers may open it too). */
  readOnly?: boolean;
}

/** The labelled pool: pairs, append-only labels, and the runs that wrote them. */
export class Pool {
  /** The file (or `:memory:`). */
  readonly path: string;
  /** True when the handle cannot write. */
  readonly readOnly: boolean;
  #lease: InstanceLease;
  #conn: DuckDBConnection;
  #runId: string | null = null;
  #closed = false;
  #queue = new SerialQueue();

  private constructor(
    path: string,
    readOnly: boolean,
    lease: InstanceLease,
    conn: DuckDBConnection,
  ) {
    this.path = path;
    this.readOnly = readOnly;
    this.#lease = lease;
    this.#conn = conn;
  }

  /**
   * Opens a pool, creating and migrating it when writable (`:memory:` for a throwaway one).
   *
   * @param path The pool file.
   * @param opts `readOnly`.
   * @returns The open pool; close it with `close()` (or use `withPool`).
   * @throws {Deno.errors.NotFound} Read-only, when the file does not exist (nothing is created).
   * @throws {PoolLockedError} When another process is writing the pool.
   * @example
   * ```ts
   * import { Pool } from "./pool.ts";
   * const pool = await Pool.open(":memory:");
   * try {
   *   await pool.startRun({ runId: "r1", pipeline: "demo" });
   *   if (await pool.lastCommittedIteration() !== null) throw new Error();
   * } finally {
   *   await pool.close();
   * }
   * ```
   */
  static async open(path: string, opts: PoolOpenOptions = {}): Promise<Pool> {
    const readOnly = opts.readOnly ?? false;
    if (!path) {
      throw new RangeError(`Cannot open pool as 'path' is empty: pass a file or ':memory:'`);
    }
    if (readOnly && path === ":memory:") {
      throw new RangeError(`Cannot open ':memory:' read-only as an in-memory pool starts empty`);
    }
    if (readOnly && !_exists(path)) {
      throw new Deno.errors.NotFound(
        `Cannot open pool '${path}' as the file does not exist: pass the pool.duckdb of a run ` +
          `directory (e.g. runs/<pipeline>/pool.duckdb)`,
      );
    }
    if (!readOnly && path !== ":memory:") await ensurePoolFile(path);
    const lease = await acquireInstance(path, readOnly);
    let conn: DuckDBConnection | undefined;
    try {
      conn = await lease.instance.connect();
      if (readOnly || lease.readOnly) {
        checkVersion(await schemaVersion(conn), path, true);
      } else {
        await migrate(conn, path);
        await createStaging(conn);
      }
      return new Pool(path, readOnly || lease.readOnly, lease, conn);
    } catch (e) {
      conn?.closeSync();
      lease.release();
      throw e;
    }
  }

  /** The run this handle writes for by default (set by `startRun`), or null. */
  get runId(): string | null {
    return this.#runId;
  }

  /** Closes the handle once its queued work is done (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.idle();
    this.#conn.closeSync();
    this.#lease.release();
  }

  /** Runs `fn` alone on the connection, after the work queued before it. */
  #exclusive<T>(name: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new Error(`Cannot call Pool.${name}() as pool '${this.path}' is closed`),
      );
    }
    return this.#queue.run(`Pool.${name}`, () => fn(this.#conn));
  }

  /** Like `#exclusive`, inside one transaction; refuses on a read-only handle. */
  #atomic<T>(name: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.readOnly) {
      return Promise.reject(
        new Error(`Cannot call Pool.${name}() as pool '${this.path}' is open read-only`),
      );
    }
    return this.#exclusive(name, async (conn) => {
      await conn.run("BEGIN TRANSACTION");
      let result: T;
      try {
        result = await fn(conn);
        await conn.run("COMMIT");
      } catch (e) {
        await conn.run("ROLLBACK").catch(() => {});
        throw e;
      }
      return result;
    });
  }

  /**
   * Runs `fn` in one transaction: everything it writes through `tx` commits when it returns, and
   * nothing does when it throws, or when the process crashes or is killed before that.
   *
   * @param fn The writes (use `tx`, not the pool, inside).
   * @returns What `fn` returns.
   * @example
   * ```ts
   * import { Pool } from "./pool.ts";
   * const pool = await Pool.open(":memory:");
   * await pool.startRun({ runId: "r1", pipeline: "demo" });
   * await pool.transaction(async (tx) => {
   *   await tx.appendLabels({ pairId: ["p1"], label: [1], origin: "self", iteration: 1, rule: "status1" });
   *   await tx.recordIteration({ iteration: 1, status: "status1", selected: 1, poolSize: 1 });
   * });
   * if (await pool.lastCommittedIteration() !== 1) throw new Error();
   * await pool.close();
   * ```
   */
  transaction<T>(fn: (tx: PoolTransaction) => Promise<T>): Promise<T> {
    return this.#atomic("transaction", async (conn) => {
      const tx = new PoolTransaction(conn, this.path, this.#runId);
      try {
        return await fn(tx);
      } finally {
        tx._end();
      }
    });
  }

  /**
   * Inserts a pair batch, or several, in its own transaction (see `PoolTransaction.insertPairs`).
   */
  insertPairs(batches: Batch | readonly Batch[], opts?: InsertPairsOptions): Promise<number> {
    return this.transaction((tx) => tx.insertPairs(batches, opts));
  }

  /** Appends label rows in their own transaction. @returns Rows appended. */
  appendLabels(rows: LabelRows, opts?: AppendLabelOptions): Promise<number> {
    return this.transaction((tx) => tx.appendLabels(rows, opts));
  }

  /** Records bad input records (default run: this handle's). */
  recordRejects(rows: readonly RejectRow[], runId?: string): Promise<void> {
    return this.transaction((tx) => tx.recordRejects(rows, runId));
  }

  /** Records a committed iteration on its own (prefer `tx.recordIteration` with its labels). */
  recordIteration(e: IterationEntry): Promise<void> {
    return this.transaction((tx) => tx.recordIteration(e));
  }

  /** Records a trained model on its own. */
  recordModel(m: ModelEntry): Promise<void> {
    return this.transaction((tx) => tx.recordModel(m));
  }

  /**
   * Records a run as started (or, same id, resumed) and makes it this handle's default run.
   *
   * @returns True when the run already existed (a resume).
   */
  async startRun(r: RunStart): Promise<boolean> {
    const resumed = await this.#atomic("startRun", (conn) => runs.startRun(conn, r));
    this.#runId = r.runId;
    return resumed;
  }

  /** Marks a run finished with its status and stop reason. */
  finishRun(runId: string, status: RunStatus, stopReason: string | null = null): Promise<void> {
    return this.#atomic("finishRun", (conn) => runs.finishRun(conn, runId, status, stopReason));
  }

  /** @returns The run (default: this handle's), or null. */
  getRun(runId?: string): Promise<RunInfo | null> {
    const id = runId ?? this.#runId;
    return id === null
      ? Promise.resolve(null)
      : this.#exclusive("getRun", (c) => runs.getRun(c, id));
  }

  /** @returns The latest unfinished (running, interrupted, failed) run of a pipeline, or null. */
  findResumableRun(pipeline: string): Promise<RunInfo | null> {
    return this.#exclusive("findResumableRun", (c) => runs.findResumableRun(c, pipeline));
  }

  /** @returns The last committed iteration of a run (default: this handle's), or null. */
  lastCommittedIteration(runId?: string): Promise<number | null> {
    const id = runId ?? this.#runId;
    if (id === null) return Promise.resolve(null);
    return this.#exclusive("lastCommittedIteration", (c) => runs.lastCommittedIteration(c, id));
  }

  /**
   * @param iteration Labels of iterations up to this one (Infinity: all).
   * @param opts `runId` (default: the current run, the one that wrote the latest label).
   * @returns Each labelled pair's label as of `iteration`, as columns, in writing order.
   */
  labelsAsOf(iteration: number, opts: { runId?: string | null } = {}): Promise<LabelColumns> {
    return this.#exclusive("labelsAsOf", (c) => labelsAsOf(c, iteration, opts.runId ?? null));
  }

  /** @returns The current label of each labelled pair (`labelsAsOf(Infinity)`). */
  currentLabels(opts: { runId?: string | null } = {}): Promise<LabelColumns> {
    return this.labelsAsOf(Infinity, opts);
  }

  /** @returns The pool's pairs as one Arrow pair batch, labelled as of an iteration. */
  readPairs(opts?: ReadPairsOptions): Promise<Batch> {
    return this.#exclusive("readPairs", (c) => readPairs(c, opts));
  }

  /**
   * Looks up cached text embeddings (the `embed` stage's cache).
   *
   * @param modelKey The encoder and its settings.
   * @param hashes Text hashes.
   * @returns The vectors (and token counts) found.
   */
  readEmbeddings(modelKey: string, hashes: readonly string[]): Promise<CachedEmbeddings> {
    return this.#exclusive("readEmbeddings", (c) => readEmbeddings(c, modelKey, hashes));
  }

  /**
   * Caches text embeddings in one transaction (hashes already cached are kept as they are).
   *
   * @param modelKey The encoder and its settings.
   * @param dim Vector width.
   * @param hashes Text hashes.
   * @param vectors `[hashes.length, dim]`.
   * @param tokens Tokens embedded per text.
   * @returns Rows added.
   * @example
   * ```ts
   * import { Pool } from "./pool.ts";
   * const pool = await Pool.open(":memory:");
   * await pool.writeEmbeddings("m", 2, ["h1"], new Float32Array([0.5, -1]), [3]);
   * const got = await pool.readEmbeddings("m", ["h1", "h2"]);
   * if (got.vectors.get("h1")![1] !== -1 || got.vectors.has("h2")) throw new Error();
   * await pool.close();
   * ```
   */
  writeEmbeddings(
    modelKey: string,
    dim: number,
    hashes: readonly string[],
    vectors: Float32Array,
    tokens: ArrayLike<number>,
  ): Promise<number> {
    return this.#atomic(
      "writeEmbeddings",
      (c) => writeEmbeddings(c, modelKey, dim, hashes, vectors, tokens),
    );
  }

  /**
   * Runs SQL; read-only unless `write` is set on a writable handle.
   *
   * @returns The last statement's result.
   * @throws {ReadOnlyPoolError} On a statement that would change the pool without `write`.
   */
  query(sql: string, opts: RunQueryOptions = {}): Promise<QueryResult> {
    const write = !!opts.write && !this.readOnly;
    return this.#exclusive("query", (c) => runQuery(c, this.path, sql, { ...opts, write }));
  }

  /**
   * Streams the rows of one SELECT to `fn`, a chunk (about 2,048 rows) at a time. The pool is
   * busy until it returns: `fn` must not call the pool.
   *
   * @returns The number of rows.
   * @throws {RangeError} When the SQL is not exactly one SELECT.
   */
  forEachChunk(sql: string, fn: ChunkHandler): Promise<number> {
    return this.#exclusive("forEachChunk", (c) => queryChunks(c, this.path, sql, fn));
  }
}

function _exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

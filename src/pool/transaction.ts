/**
 * The handle a `Pool.transaction` callback writes through: everything it writes commits together,
 * or (on a throw, a crash or a kill) not at all.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Batch } from "../contracts/types.ts";
import { insertPairs, type InsertPairsOptions } from "./write_pairs.ts";
import { appendLabels } from "./write_labels.ts";
import * as runs from "./runs.ts";
import { labelsAsOf } from "./read_labels.ts";
import { type QueryResult, runQuery, type RunQueryOptions } from "./query.ts";
import type {
  AppendLabelOptions,
  IterationEntry,
  LabelColumns,
  LabelRows,
  ModelEntry,
  RejectRow,
} from "./types.ts";

/** Writes of one transaction (valid only inside the `Pool.transaction` callback). */
export class PoolTransaction {
  #conn: DuckDBConnection;
  #path: string;
  #runId: string | null;
  #open = true;

  /**
   * @param conn The pool's connection, inside `BEGIN`.
   * @param path The pool's path, for messages.
   * @param runId The pool handle's current run (the default `runId`).
   */
  constructor(conn: DuckDBConnection, path: string, runId: string | null) {
    this.#conn = conn;
    this.#path = path;
    this.#runId = runId;
  }

  /** Ends the handle's validity (called by `Pool.transaction`). */
  _end(): void {
    this.#open = false;
  }

  #use(what: string): DuckDBConnection {
    if (!this.#open) {
      throw new Error(
        `Cannot call ${what}() as its transaction has ended: use the handle only inside the ` +
          `pool.transaction() callback, and await every call before it returns`,
      );
    }
    return this.#conn;
  }

  #run(what: string, runId: string | undefined): string {
    const r = runId ?? this.#runId;
    if (!r) {
      throw new RangeError(
        `Cannot call ${what}() as no run is given: pass 'runId' or call startRun on the pool first`,
      );
    }
    return r;
  }

  /**
   * Inserts a pair batch, or several in one statement (see `Pool.insertPairs`).
   * @returns Pairs inserted or updated.
   */
  insertPairs(batches: Batch | readonly Batch[], opts?: InsertPairsOptions): Promise<number> {
    return insertPairs(this.#use("insertPairs"), batches, opts);
  }

  /** Appends label rows (see `Pool.appendLabels`). @returns Rows appended. */
  appendLabels(rows: LabelRows, opts?: AppendLabelOptions): Promise<number> {
    return appendLabels(this.#use("appendLabels"), rows, this.#runId, opts);
  }

  /** Records bad input records of a run (default: the current run). */
  recordRejects(rows: readonly RejectRow[], runId?: string): Promise<void> {
    return runs.recordRejects(this.#use("recordRejects"), this.#run("recordRejects", runId), rows);
  }

  /** Records the iteration as committed (it is, once the callback returns). */
  recordIteration(e: IterationEntry): Promise<void> {
    return runs.recordIteration(
      this.#use("recordIteration"),
      this.#run("recordIteration", e.runId),
      e,
    );
  }

  /** Records a trained model. */
  recordModel(m: ModelEntry): Promise<void> {
    return runs.recordModel(this.#use("recordModel"), this.#run("recordModel", m.runId), m);
  }

  /** Reads labels as this transaction sees them (see `Pool.labelsAsOf`). */
  labelsAsOf(iteration: number, opts: { runId?: string | null } = {}): Promise<LabelColumns> {
    return labelsAsOf(this.#use("labelsAsOf"), iteration, opts.runId ?? null);
  }

  /** Runs SQL inside the transaction (writes allowed). */
  query(sql: string, opts: RunQueryOptions = {}): Promise<QueryResult> {
    return runQuery(this.#use("query"), this.#path, sql, { write: true, ...opts });
  }
}

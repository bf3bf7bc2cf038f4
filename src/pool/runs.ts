/**
 * Run bookkeeping in the pool: the `runs`, `iterations`, `models` and `rejects` tables.
 * Each function takes a connection; `Pool` and `PoolTransaction` decide the transaction.
 *
 * @module
 */
import { BIGINT, type DuckDBConnection, VARCHAR } from "@duckdb/node-api";
import { appendRows } from "./append_rows.ts";
import type {
  IterationEntry,
  ModelEntry,
  RejectRow,
  RunInfo,
  RunStart,
  RunStatus,
} from "./types.ts";

const STATUSES: readonly RunStatus[] = ["running", "completed", "interrupted", "failed"];

/** @returns `value` as JSON text for a JSON column (null stays null). */
function _json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Records a run as started, or (same `runId`) as resumed: status `running` again.
 *
 * @param conn The connection.
 * @param r The run.
 * @returns True when the run already existed (a resume).
 */
export async function startRun(conn: DuckDBConnection, r: RunStart): Promise<boolean> {
  if (!r.runId) throw new RangeError(`Cannot start a run as 'runId' is empty: pass the run's id`);
  const existing = await conn.runAndReadAll(`SELECT pipeline FROM runs WHERE run_id = $1`, [
    r.runId,
  ]);
  if (existing.currentRowCount > 0) {
    await conn.run(
      `UPDATE runs SET status = 'running', resumed_at = current_timestamp, finished_at = NULL,
         stop_reason = NULL WHERE run_id = $1`,
      [r.runId],
    );
    return true;
  }
  await conn.run(
    `INSERT INTO runs (run_id, pipeline, config, git_commit, status) VALUES ($1, $2, $3, $4, 'running')`,
    [r.runId, r.pipeline, _json(r.config), r.gitCommit ?? null],
  );
  return false;
}

/**
 * Marks a run finished.
 *
 * @param conn The connection.
 * @param runId The run.
 * @param status Its final status.
 * @param stopReason Why it stopped (e.g. `max_iterations`, `no new pairs`, an error message).
 */
export async function finishRun(
  conn: DuckDBConnection,
  runId: string,
  status: RunStatus,
  stopReason: string | null = null,
): Promise<void> {
  if (!STATUSES.includes(status)) {
    throw new RangeError(
      `Cannot finish run '${runId}' as status '${status}' is not one of ${STATUSES.join(", ")}`,
    );
  }
  const r = await conn.run(
    `UPDATE runs SET status = $2, stop_reason = $3,
       finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE current_timestamp END
     WHERE run_id = $1`,
    [runId, status, stopReason],
  );
  if (r.rowsChanged === 0) {
    throw new RangeError(
      `Cannot finish run '${runId}' as the pool has no such run: call startRun first`,
    );
  }
}

const RUN_COLUMNS = `r.run_id, r.pipeline, r.status, r.stop_reason, r.git_commit,
  epoch_ms(r.started_at), epoch_ms(r.finished_at),
  (SELECT max(iteration) FROM iterations i WHERE i.run_id = r.run_id)`;

// deno-lint-ignore no-explicit-any
function _runInfo(row: any[]): RunInfo {
  return {
    runId: row[0],
    pipeline: row[1],
    status: row[2],
    stopReason: row[3],
    gitCommit: row[4],
    startedAt: new Date(Number(row[5])).toISOString(),
    finishedAt: row[6] === null ? null : new Date(Number(row[6])).toISOString(),
    lastIteration: row[7] === null ? null : Number(row[7]),
  };
}

/** @returns The run, or null when the pool has none with that id. */
export async function getRun(conn: DuckDBConnection, runId: string): Promise<RunInfo | null> {
  const r = await conn.runAndReadAll(`SELECT ${RUN_COLUMNS} FROM runs r WHERE run_id = $1`, [
    runId,
  ]);
  const rows = r.getRows();
  return rows.length ? _runInfo(rows[0]) : null;
}

/**
 * @returns The latest-started run of `pipeline` that did not complete (running when it crashed,
 * interrupted or failed), or null.
 */
export async function findResumableRun(
  conn: DuckDBConnection,
  pipeline: string,
): Promise<RunInfo | null> {
  const r = await conn.runAndReadAll(
    `SELECT ${RUN_COLUMNS} FROM runs r WHERE pipeline = $1 AND status <> 'completed'
     ORDER BY started_at DESC, run_id DESC LIMIT 1`,
    [pipeline],
  );
  const rows = r.getRows();
  return rows.length ? _runInfo(rows[0]) : null;
}

/** @returns The last committed iteration of the run, or null when none was committed. */
export async function lastCommittedIteration(
  conn: DuckDBConnection,
  runId: string,
): Promise<number | null> {
  const r = await conn.runAndReadAll(`SELECT max(iteration) FROM iterations WHERE run_id = $1`, [
    runId,
  ]);
  const v = r.getRows()[0][0];
  return v === null ? null : Number(v);
}

/** Records a committed iteration; refuses one that is already recorded. */
export async function recordIteration(
  conn: DuckDBConnection,
  runId: string,
  e: IterationEntry,
): Promise<void> {
  if (!Number.isInteger(e.iteration) || e.iteration < 0) {
    throw new RangeError(
      `Cannot record iteration as 'iteration' must be an integer >= 0: current value is ${e.iteration}`,
    );
  }
  const dup = await conn.runAndReadAll(
    `SELECT 1 FROM iterations WHERE run_id = $1 AND iteration = $2`,
    [runId, e.iteration],
  );
  if (dup.currentRowCount > 0) {
    throw new RangeError(
      `Cannot record iteration ${e.iteration} of run '${runId}' as it is already committed: ` +
        `continue from lastCommittedIteration() + 1`,
    );
  }
  await conn.run(
    `INSERT INTO iterations (run_id, iteration, status, selected, pool_size, metrics, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [runId, e.iteration, e.status, e.selected, e.poolSize, _json(e.metrics), e.durationMs ?? null],
  );
}

/** Records a trained model (its checkpoint path and metrics). */
export async function recordModel(
  conn: DuckDBConnection,
  runId: string,
  m: ModelEntry,
): Promise<void> {
  if (!m.modelId) throw new RangeError(`Cannot record model as 'modelId' is empty`);
  await conn.run(
    `INSERT INTO models (model_id, run_id, iteration, checkpoint, metrics) VALUES ($1, $2, $3, $4, $5)`,
    [m.modelId, runId, m.iteration, m.checkpoint, _json(m.metrics)],
  );
}

/** Appends bad input records (bulk, through the appender). */
export async function recordRejects(
  conn: DuckDBConnection,
  runId: string,
  rows: readonly RejectRow[],
): Promise<void> {
  for (const [i, r] of rows.entries()) {
    if (!Number.isInteger(r.line) || r.line < 0) {
      throw new RangeError(
        `Cannot record reject ${i} as 'line' must be an integer >= 0: current value is ${r.line}`,
      );
    }
  }
  await conn.run("DELETE FROM _stage_rejects");
  await appendRows(conn, "_stage_rejects", [
    { type: VARCHAR, value: (i) => rows[i].file },
    { type: BIGINT, value: (i) => BigInt(rows[i].line) },
    { type: VARCHAR, value: (i) => rows[i].reason },
    { type: VARCHAR, value: (i) => rows[i].raw ?? null },
  ], rows.length);
  await conn.run(
    `INSERT INTO rejects (run_id, file, line, reason, raw) SELECT $1, * FROM _stage_rejects`,
    [runId],
  );
}

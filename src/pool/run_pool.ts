/**
 * The run's pool as a shared resource: every stage that needs the pool calls `runPool(ctx)`.
 *
 * @module
 */
import { join } from "node:path";
import type { StageContext } from "../contracts/types.ts";
import { Pool } from "./pool.ts";
import { gitCommit } from "./git_commit.ts";
import type { RunStatus } from "./types.ts";

/** The file name of a run's pool inside its run directory. */
export const POOL_FILE = "pool.duckdb";

/**
 * The run's pool: `<runDir>/pool.duckdb`, opened once per run on first use with the run registered
 * (`runs` row for `ctx.runId`, its pipeline, config and git commit) and closed by the runtime at
 * the end, which marks the run finished unless a stage already did (`failed` or `interrupted`
 * when the run was aborted, else `completed`).
 *
 * @param ctx The stage's context.
 * @returns The shared pool (its default run is `ctx.runId`).
 * @example
 * ```ts ignore
 * const pool = await runPool(ctx);
 * await pool.transaction(async (tx) => { await tx.insertPairs(batch); });
 * ```
 */
export function runPool(ctx: StageContext): Promise<Pool> {
  return ctx.resources.get("pool", () => _open(ctx), (pool) => _close(pool, ctx));
}

async function _open(ctx: StageContext): Promise<Pool> {
  await Deno.mkdir(ctx.runDir, { recursive: true });
  const pool = await Pool.open(join(ctx.runDir, POOL_FILE));
  try {
    await pool.startRun({
      runId: ctx.runId,
      pipeline: ctx.pipeline.name,
      config: ctx.pipeline.config,
      gitCommit: gitCommit(ctx.pipeline.dir),
    });
  } catch (e) {
    await pool.close();
    throw e;
  }
  return pool;
}

async function _close(pool: Pool, ctx: StageContext): Promise<void> {
  try {
    const run = await pool.getRun(ctx.runId);
    if (run?.status === "running") {
      const [status, reason] = runOutcome(ctx.signal);
      await pool.finishRun(ctx.runId, status, reason);
    }
  } finally {
    await pool.close();
  }
}

/**
 * How a run ended, judged from its abort signal: a stage error aborts it with that error
 * (`failed`), SIGINT with an abort reason (`interrupted`).
 *
 * @param signal The run's signal.
 * @returns The status and stop reason (null when it completed).
 * @example
 * ```ts
 * import { runOutcome } from "./run_pool.ts";
 * import { InterruptedError } from "../pipeline/errors.ts";
 * if (runOutcome(new AbortController().signal)[0] !== "completed") throw new Error();
 * const c = new AbortController();
 * c.abort(new InterruptedError("interrupted (SIGINT)"));
 * if (runOutcome(c.signal)[0] !== "interrupted") throw new Error();
 * ```
 */
export function runOutcome(signal: AbortSignal): [RunStatus, string | null] {
  if (!signal.aborted) return ["completed", null];
  const r = signal.reason;
  const interrupt = r instanceof Error &&
    (r.name === "AbortError" || r.name === "InterruptedError");
  if (r instanceof Error && !interrupt) return ["failed", r.message];
  const plain = r === undefined || (r instanceof Error && r.name === "AbortError");
  return ["interrupted", plain ? "aborted" : String(r)];
}

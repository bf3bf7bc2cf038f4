/**
 * Runs stages used inside another stage (`StageRef`s, e.g. the `ser` stage's hooks) on a list of
 * batches: each gets a context of its own (id `<owner>.<ref id>`, a generator seeded from that id
 * and a per-call key, so a call repeated on `--resume` draws the same numbers), and the run's
 * shared resources, signal and log.
 *
 * @module
 */
import { from, lastValueFrom, toArray } from "rxjs";
import type { Batch, Logger, StageContext, StageRef } from "../contracts/types.ts";
import { stageRng } from "../contracts/rng.ts";
import { makeStageContext } from "../pipeline/context.ts";
import { Gate } from "../pipeline/flow.ts";

/**
 * The context of a stage used inside `parent`.
 *
 * @param parent The owning stage's context.
 * @param ref The inner stage.
 * @param key Distinguishes calls (e.g. `iteration-3`): the inner generator forks on it.
 * @returns The inner stage's context.
 */
export function nestedContext(parent: StageContext, ref: StageRef, key: string): StageContext {
  const stageId = `${parent.stageId}.${ref.id}`;
  const ctx = makeStageContext({
    stageId,
    runId: parent.runId,
    pipeline: parent.pipeline,
    runDir: parent.runDir,
    cacheDir: parent.cacheDir,
    backend: parent.backend,
    resume: parent.resume,
    signal: parent.signal,
    log: _tagged(parent.log, ref.id),
    progress: parent.progress,
    resources: parent.resources,
    inputs: [],
    gate: new Gate(),
    // The output is collected, not streamed on: there is always room.
    room: () => Promise.resolve(false),
  });
  return { ...ctx, rng: stageRng(parent.pipeline.seed, stageId).fork(key) };
}

/**
 * Runs one inner stage over `batches` and collects what it emits.
 *
 * @param ref The inner stage.
 * @param batches Its input.
 * @param ctx Its context (`nestedContext`).
 * @returns Its output batches.
 */
export function runNested(ref: StageRef, batches: Batch[], ctx: StageContext): Promise<Batch[]> {
  const op = ref.module.operator(ref.config, ctx);
  return lastValueFrom(op(from(batches)).pipe(toArray()));
}

function _tagged(log: Logger, hook: string): Logger {
  const f = (level: keyof Logger) => (msg: string, fields?: Record<string, unknown>) =>
    log[level](msg, { hook, ...fields });
  return { debug: f("debug"), info: f("info"), warn: f("warn"), error: f("error") };
}

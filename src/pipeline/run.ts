/**
 * Runs a validated pipeline: builds the RxJS graph, links stages with bounded channels
 * (backpressure), shares lazily opened resources, stops cleanly on abort (SIGINT), and turns
 * a stage failure into a `StageError` naming the stage.
 *
 * @module
 */
import { concat, Observable, type Subscription } from "rxjs";
import { join, resolve } from "node:path";
import type { Batch, RunResources } from "../contracts/types.ts";
import type { LoadedPipeline, StageNode } from "./loaded.ts";
import { Channel, Gate } from "./flow.ts";
import { makeStageContext } from "./context.ts";
import { StageError } from "./errors.ts";
import { topoOrder } from "./graph.ts";
import { createLogger, type LogOptions } from "../util/log.ts";
import { ProgressDisplay } from "../util/progress.ts";
import { prepareRunDir, writeRunRecord } from "./run_dir.ts";

/** Options for `runPipeline`. */
export interface RunOptions {
  /** Run directory (default: the pipeline's `run_dir`, else `runs/<name>`). */
  runDir?: string;
  /** Folder for caches shared between runs (default `<runDir>/cache`). */
  cacheDir?: string;
  /** Continue the interrupted run in the run directory. */
  resume?: boolean;
  /** Only warnings and errors, no progress. */
  quiet?: boolean;
  verbose?: boolean;
  logFormat?: "text" | "json";
  /** Abort to stop the run cleanly (the CLI aborts on SIGINT). */
  signal?: AbortSignal;
  /** Batches waiting on each edge before the producer pauses (default 4). */
  capacity?: number;
  /** Progress display mode (default: bar on a terminal, lines otherwise). */
  progress?: "bar" | "lines" | "none";
  /** Log line sink (tests). */
  write?: (line: string) => void;
  /**
   * Recorded output by stage id: each of these stages emits its batches instead of running, and
   * a stage whose output only feeds replayed stages does not run at all. For output that depends
   * only on the stage configs and the pipeline seed (`compare` replays the data stages of one
   * seed to each method); see `replayable`.
   */
  replay?: Readonly<Record<string, readonly Batch[]>>;
  /** Sees every batch a stage emits, with the stage's id (`compare` records its data stages). */
  tap?: (stageId: string, batch: Batch) => void;
}

/** The outcome of a run. */
export interface RunResult {
  runId: string;
  runDir: string;
  status: "completed" | "interrupted";
  /** Batches each stage emitted. */
  batches: Record<string, number>;
  durationMs: number;
}

/**
 * Runs a pipeline to completion.
 *
 * @param p A pipeline from `loadPipeline` or `definePipeline`.
 * @param opts Run options.
 * @returns The run's outcome; `status` is `interrupted` when `opts.signal` aborted it.
 * @throws {StageError} When a stage fails (after the others stopped and resources closed).
 */
export async function runPipeline(p: LoadedPipeline, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const runDir = resolve(opts.runDir ?? p.runDir ?? join("runs", p.name));
  const progress = new ProgressDisplay({
    mode: opts.quiet ? "none" : opts.progress,
    write: opts.write ? (t) => opts.write!(t.trimEnd()) : undefined,
  });
  const logOpts: LogOptions = {
    format: opts.logFormat,
    quiet: opts.quiet,
    verbose: opts.verbose,
    write: opts.write,
    beforeWrite: () => progress.clear(),
  };
  const log = createLogger(logOpts);
  const { runId, startedAt } = await prepareRunDir(runDir, p, !!opts.resume, log);
  log.info(`run ${runId}`, { pipeline: p.name, dir: runDir, resume: !!opts.resume });

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onOuterAbort);
  if (opts.signal?.aborted) abort.abort(opts.signal.reason);
  const resources = new Resources();
  const replay = opts.replay ?? {};
  for (const id of Object.keys(replay)) {
    if (!p.stages.some((s) => s.id === id)) {
      throw new RangeError(
        `Cannot replay stage '${id}' as pipeline '${p.name}' has no stage with that id`,
      );
    }
  }
  const skipped = _feedingOnly(p.stages, Object.keys(replay));
  const order = topoOrder(p.stages).filter((s) => !skipped.has(s.id));
  const capacity = opts.capacity ?? 4;

  // One channel per edge; the first input of a stage is bounded, later inputs of a join buffer
  // until the earlier ones complete (bounded joins could deadlock on a diamond).
  const outs = new Map<string, Channel<Batch>[]>(order.map((s) => [s.id, []]));
  const ins = new Map<string, Channel<Batch>[]>();
  for (const s of order) {
    ins.set(
      s.id,
      (replay[s.id] ? [] : s.inputs).map((id, k) => {
        const ch = new Channel<Batch>(k === 0 ? capacity : Infinity);
        outs.get(id)!.push(ch);
        return ch;
      }),
    );
  }

  let failure: StageError | undefined;
  const subs: Subscription[] = [];
  const counts: Record<string, number> = {};
  const fail = (s: StageNode, e: unknown) => {
    if (!failure) failure = e instanceof StageError ? e : new StageError(s.id, e);
    abort.abort(failure);
    for (const chs of ins.values()) for (const c of chs) c.drain();
  };

  const finished = order.map((s) =>
    new Promise<void>((done) => {
      counts[s.id] = 0;
      const gate = new Gate();
      const downstream = outs.get(s.id)!;
      // Resolves when every consumer has room; `true` when all consumers stopped listening.
      const room = async () => {
        await Promise.all(downstream.map((c) => c.room()));
        return downstream.length > 0 && downstream.every((c) => c.closed);
      };
      const inputs = ins.get(s.id)!.map((ch) => pull(ch, gate, room, abort.signal));
      const ctx = makeStageContext({
        stageId: s.id,
        runId,
        pipeline: { name: p.name, seed: p.seed, dir: p.dir, file: p.file, config: p.resolved },
        runDir,
        cacheDir: opts.cacheDir ? resolve(opts.cacheDir) : join(runDir, "cache"),
        backend: p.backend,
        resume: !!opts.resume,
        signal: abort.signal,
        log: createLogger(logOpts, { stage: s.id }),
        progress: (label, total) => progress.start(`${s.id}: ${label}`, total),
        resources,
        inputs,
        gate,
        room,
      });
      try {
        const recorded = replay[s.id];
        const output = recorded
          ? ctx.source(recorded)
          : s.module.operator(s.config, ctx)(concat(...inputs));
        subs.push(output.subscribe({
          next: (b) => {
            counts[s.id]++;
            opts.tap?.(s.id, b);
            for (const c of downstream) c.push(b);
          },
          error: (e) => {
            fail(s, e);
            downstream.forEach((c) => c.close());
            done();
          },
          complete: () => {
            downstream.forEach((c) => c.close());
            done();
          },
        }));
      } catch (e) {
        fail(s, e);
        downstream.forEach((c) => c.close());
        done();
      }
    })
  );
  await Promise.all(finished);
  for (const s of subs) s.unsubscribe();
  opts.signal?.removeEventListener("abort", onOuterAbort);
  await resources.closeAll(log);
  const interrupted = !failure && abort.signal.aborted;
  const status = failure ? "failed" : interrupted ? "interrupted" : "completed";
  await writeRunRecord(runDir, { runId, pipeline: p.name, status, startedAt, config: p.resolved });
  const durationMs = performance.now() - t0;
  if (failure) throw failure;
  log.info(interrupted ? "run interrupted: resume with --resume" : "run completed", {
    seconds: +(durationMs / 1000).toFixed(1),
  });
  return {
    runId,
    runDir,
    status: interrupted ? "interrupted" : "completed",
    batches: counts,
    durationMs,
  };
}

/**
 * The stages that need not run when `replayed` emit recorded output: the replayed stages' inputs,
 * and theirs, as long as every consumer of theirs is itself replayed or not run.
 */
function _feedingOnly(stages: readonly StageNode[], replayed: readonly string[]): Set<string> {
  const out = new Set<string>();
  const gone = new Set(replayed);
  const consumers = (id: string) => stages.filter((s) => s.inputs.includes(id));
  for (const s of [...topoOrder([...stages])].reverse()) {
    if (gone.has(s.id)) continue;
    const users = consumers(s.id);
    if (users.length > 0 && users.every((u) => gone.has(u.id))) {
      gone.add(s.id);
      out.add(s.id);
    }
  }
  return out;
}

/** An input stream that delivers a batch only when the stage is idle and downstream has room. */
function pull(
  ch: Channel<Batch>,
  gate: Gate,
  room: () => Promise<unknown>,
  signal: AbortSignal,
): Observable<Batch> {
  return new Observable<Batch>((sub) => {
    let stopped = false;
    (async () => {
      while (!stopped) {
        await gate.idle();
        await room();
        if (stopped || signal.aborted) break;
        const b = await ch.take();
        if (b === undefined || stopped) break;
        sub.next(b);
      }
      // Stop taking: release an upstream waiting for room, drop what is queued.
      if (signal.aborted || stopped) ch.drain();
      sub.complete();
    })();
    return () => {
      stopped = true;
      ch.drain();
    };
  });
}

/** The run's shared resources: opened once on first use, closed in reverse order at the end. */
class Resources implements RunResources {
  #items = new Map<string, { value: Promise<unknown>; close?: (v: unknown) => unknown }>();

  get<T>(
    key: string,
    open: () => Promise<T>,
    close?: (value: T) => Promise<void> | void,
  ): Promise<T> {
    let item = this.#items.get(key);
    if (!item) {
      item = { value: open(), close: close as (v: unknown) => unknown };
      this.#items.set(key, item);
    }
    return item.value as Promise<T>;
  }

  async closeAll(log: { warn(m: string, f?: Record<string, unknown>): void }): Promise<void> {
    for (const [key, item] of [...this.#items].reverse()) {
      try {
        const v = await item.value;
        await item.close?.(v);
      } catch (e) {
        log.warn(`could not close ${key}: ${(e as Error).message}`);
      }
    }
    this.#items.clear();
  }
}

/**
 * Builds the `StageContext` a stage's operator receives, including the two backpressure-aware
 * building blocks: `ctx.source(iterable)` and `ctx.mapAsync(fn)`.
 *
 * @module
 */
import { Observable, type OperatorFunction } from "rxjs";
import type { Batch, Logger, Progress, RunResources, StageContext } from "../contracts/types.ts";
import type { Gate } from "./flow.ts";
import { stageRng } from "../contracts/rng.ts";

/** What the runtime knows about a stage when it builds its context. */
export interface ContextParts {
  stageId: string;
  runId: string;
  pipeline: StageContext["pipeline"];
  runDir: string;
  cacheDir?: string;
  backend: StageContext["backend"];
  resume: boolean;
  signal: AbortSignal;
  log: Logger;
  progress: (label: string, total?: number) => Progress;
  resources: RunResources;
  inputs: Observable<Batch>[];
  gate: Gate;
  /** Resolves when every downstream channel has room; with `true` when no consumer listens any more. */
  room: () => Promise<boolean>;
}

/** @returns The context for one stage. */
export function makeStageContext(p: ContextParts): StageContext {
  return {
    stageId: p.stageId,
    runId: p.runId,
    pipeline: p.pipeline,
    runDir: p.runDir,
    cacheDir: p.cacheDir,
    rng: stageRng(p.pipeline.seed, p.stageId),
    backend: p.backend,
    resume: p.resume,
    signal: p.signal,
    log: p.log,
    progress: p.progress,
    resources: p.resources,
    inputs: p.inputs,
    source: (items) => sourceOf(items, p.room, p.signal),
    mapAsync: (fn) => mapAsyncOf(fn, p.gate),
  };
}

function sourceOf(
  items: AsyncIterable<Batch> | Iterable<Batch>,
  room: () => Promise<boolean>,
  signal: AbortSignal,
): Observable<Batch> {
  return new Observable<Batch>((sub) => {
    let stopped = false;
    const it = Symbol.asyncIterator in items
      ? (items as AsyncIterable<Batch>)[Symbol.asyncIterator]()
      : (items as Iterable<Batch>)[Symbol.iterator]();
    (async () => {
      try {
        while (!stopped) {
          const unheard = await room();
          if (stopped || unheard || signal.aborted) break;
          const r = await it.next();
          if (r.done || stopped) break;
          sub.next(r.value);
        }
        await it.return?.();
        sub.complete();
      } catch (e) {
        sub.error(e);
      }
    })();
    return () => {
      stopped = true;
    };
  });
}

function mapAsyncOf(
  fn: (batch: Batch, index: number) => Promise<Batch | Batch[] | null> | Batch | Batch[] | null,
  gate: Gate,
): OperatorFunction<Batch, Batch> {
  return (source) =>
    new Observable<Batch>((sub) => {
      const queue: Batch[] = [];
      let busy = false;
      let sourceDone = false;
      let index = 0;
      let closed = false;
      const pump = async () => {
        if (busy) return;
        busy = true;
        while (queue.length && !closed) {
          const b = queue.shift()!;
          try {
            const out = await fn(b, index++);
            if (closed) break;
            if (Array.isArray(out)) { for (const o of out) sub.next(o); }
            else if (out) sub.next(out);
          } catch (e) {
            closed = true;
            sub.error(e);
            return;
          } finally {
            gate.leave();
          }
        }
        busy = false;
        if (sourceDone && !queue.length && !closed) sub.complete();
      };
      const inner = source.subscribe({
        next: (b) => {
          gate.enter();
          queue.push(b);
          pump();
        },
        error: (e) => sub.error(e),
        complete: () => {
          sourceDone = true;
          if (!busy && !queue.length) sub.complete();
        },
      });
      return () => {
        closed = true;
        for (let i = 0; i < queue.length; i++) gate.leave();
        inner.unsubscribe();
      };
    });
}

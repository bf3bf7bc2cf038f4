/**
 * Epoch planning off the submitting thread: Workers build the segments' lists (touched rows,
 * blocks, contributions; `train_plan.ts`), several segments in parallel (worker j takes every
 * segment whose index is j modulo the number of workers), while the main thread records and
 * submits the segments already planned, in order. The host's critical path per step is then the
 * recording and the upload of its lists, and planning throughput grows with the workers. Where
 * Workers are unavailable (or 0 are asked for) the same planner runs in the calling thread,
 * segment by segment. Either way the segments are the same, so training is bit-identical.
 *
 * @module
 */
import type { ModelConfig, PairFeatures, TrainSet } from "../model/types.ts";
import type { BatchSegment } from "./batch_plan.ts";
import { type PlanReply, type PlanRequest, wallMs } from "./plan_worker.ts";
import { type SegmentPlan, TrainPlanner } from "./train_plan.ts";

/** One planned segment, with when (wall-clock ms) and where it was planned. */
export interface TimedSegment<S = SegmentPlan> {
  /** Host-built lists (this module's planners), or steps whose lists the GPU builds. */
  seg: S;
  planStart: number;
  planEnd: number;
}

/** Steps per segment: small enough that the first submission comes early. */
export const STEPS_PER_SEGMENT = 8;

/**
 * The default number of planning workers: one per spare core, at most 4 (one planner keeps up
 * with about 100 1024-pair steps per second on one core of a server CPU).
 *
 * @returns At least 1.
 * @example
 * ```ts
 * import { defaultPlanWorkers } from "./plan_ahead.ts";
 * if (defaultPlanWorkers() < 1) throw new Error();
 * ```
 */
export function defaultPlanWorkers(): number {
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 2 : 2;
  return Math.max(1, Math.min(4, cores - 1));
}

/** Plans the segments of epochs over one set of loaded features. */
export interface SegmentSource<S = SegmentPlan | BatchSegment> {
  /** True when planning runs in a Worker, off the submitting thread. */
  readonly offThread: boolean;
  /**
   * Yields the epoch's segments in order.
   *
   * @param set The examples (already checked).
   * @param order Positions into `set`.
   * @param batchSize Mini-batch size.
   * @param firstStep The optimizer step count before the epoch.
   */
  segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
  ): AsyncGenerator<TimedSegment<S>>;
  /** Stops the worker, if any. */
  destroy(): void;
}

/** What a planner needs besides the features. */
export interface PlanShape {
  cfg: ModelConfig;
  rowsPerChunk: number;
  /** Most entries of one list (storage binding bytes / 4). */
  maxEntries: number;
  /** Steps per segment (default `STEPS_PER_SEGMENT`). */
  stepsPerSegment?: number;
  /** The workers' module (default `plan_worker.ts`; another one for tests of a failing worker). */
  workerModule?: URL;
}

/**
 * Opens a planner for `features`: `workers` Workers, or the calling thread when `workers` is 0
 * or Workers are unavailable.
 *
 * @param features The loaded features (their id lists copied once into shared memory).
 * @param shape Model shape, table split and binding size.
 * @param workers Planning workers (0: plan in the calling thread).
 * @returns The planner; `destroy()` it with the features.
 * @example
 * ```ts
 * import { openPlanner } from "./plan_ahead.ts";
 * import { DEFAULT_MODEL } from "../model/types.ts";
 * const o = new Uint32Array([0, 2]);
 * const f = { n: 1, promptOffsets: o, promptIds: new Uint32Array([5, 2]), aOffsets: o,
 *   aIds: new Uint32Array([2, 2]), bOffsets: o, bIds: new Uint32Array([1, 1]) };
 * const cfg = { ...DEFAULT_MODEL, buckets: 8, dim: 2 };
 * const p = openPlanner(f, { cfg, rowsPerChunk: 8, maxEntries: 1 << 20 });
 * const set = { indices: new Uint32Array([0]), labels: new Int8Array([1]), weights: new Float32Array([1]) };
 * for await (const { seg } of p.segments(set, new Uint32Array([0]), 1, 0)) {
 *   if (seg.steps[0].touched !== 3) throw new Error("rows 1, 2 and 5");
 * }
 * p.destroy();
 * ```
 */
export function openPlanner(
  features: PairFeatures,
  shape: PlanShape,
  workers: number = defaultPlanWorkers(),
): SegmentSource<SegmentPlan> {
  if (workers > 0 && typeof Worker !== "undefined") {
    try {
      return new WorkerPlanner(features, shape, workers);
    } catch {
      // No worker (e.g. a restricted runtime): plan in this thread.
    }
  }
  return new InlinePlanner(features, shape);
}

class InlinePlanner implements SegmentSource<SegmentPlan> {
  readonly offThread = false;
  readonly #planner: TrainPlanner;
  readonly #steps: number;

  constructor(f: PairFeatures, s: PlanShape) {
    this.#planner = new TrainPlanner(f, s.cfg, s.rowsPerChunk, s.maxEntries);
    this.#steps = s.stepsPerSegment ?? STEPS_PER_SEGMENT;
  }

  async *segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
  ): AsyncGenerator<TimedSegment> {
    const it = this.#planner.segments(set, order, batchSize, firstStep, this.#steps, true);
    while (true) {
      const planStart = wallMs();
      const next = it.next();
      if (next.done) return;
      yield { seg: next.value, planStart, planEnd: wallMs() };
    }
  }

  destroy(): void {}
}

class WorkerPlanner implements SegmentSource<SegmentPlan> {
  readonly #workers: Worker[];
  readonly #steps: number;
  #epoch = 0;
  #inbox: (PlanReply & { from: number })[] = [];
  /** Why the workers cannot be used (then planning falls back to this thread). */
  #broken: string | null = null;
  readonly #fallback: () => InlinePlanner;
  #inline: InlinePlanner | null = null;
  #wake: (() => void) | null = null;

  /** False once the workers failed and planning fell back to this thread. */
  get offThread(): boolean {
    return this.#broken === null;
  }

  constructor(f: PairFeatures, s: PlanShape, count: number) {
    this.#steps = s.stepsPerSegment ?? STEPS_PER_SEGMENT;
    this.#fallback = () => this.#inline ??= new InlinePlanner(f, s);
    const shared = _sharedFeatures(f);
    this.#workers = [];
    try {
      for (let w = 0; w < count; w++) this.#workers.push(this.#open(w, shared, s));
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  #open(from: number, f: PairFeatures, s: PlanShape): Worker {
    const module = s.workerModule ?? new URL("./plan_worker.ts", import.meta.url);
    const worker = new Worker(module.href, {
      type: "module",
      name: `serflow epoch planner ${from}`,
    });
    worker.onmessage = (e: MessageEvent<PlanReply>) => {
      if (e.data.id !== this.#epoch) return; // a cancelled epoch's late segment
      this.#push({ ...e.data, from });
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#broken = `planning worker ${from} failed: ${e.message}`;
      this.#push({ type: "error", id: this.#epoch, from, name: "WorkerFailed", message: "" });
    };
    const load: PlanRequest = {
      type: "load",
      features: f,
      cfg: s.cfg,
      rowsPerChunk: s.rowsPerChunk,
      maxEntries: s.maxEntries,
    };
    worker.postMessage(load);
    return worker;
  }

  #push(r: PlanReply & { from: number }): void {
    this.#inbox.push(r);
    this.#wake?.();
    this.#wake = null;
  }

  async *segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
  ): AsyncGenerator<TimedSegment> {
    if (this.#broken) {
      yield* this.#fallback().segments(set, order, batchSize, firstStep);
      return;
    }
    const id = ++this.#epoch, workers = this.#workers.length;
    this.#inbox = [];
    this.#workers.forEach((w, worker) =>
      w.postMessage(
        {
          type: "epoch",
          id,
          set,
          order,
          batchSize,
          firstStep,
          maxSteps: this.#steps,
          worker,
          workers,
        } satisfies PlanRequest,
      )
    );
    // Segments arrive from the workers in any order; they are handed out by index.
    const ready = new Map<number, PlanReply & { type: "segment"; from: number }>();
    let next = 0, done = 0, finished = false;
    try {
      while (true) {
        const r = ready.get(next);
        if (r) {
          ready.delete(next++);
          yield { seg: r.seg, planStart: r.start, planEnd: r.end };
          this.#workers[r.from].postMessage({ type: "ack", id } satisfies PlanRequest);
          continue;
        }
        if (done === workers) {
          finished = true;
          return;
        }
        while (this.#inbox.length === 0) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        const m = this.#inbox.shift()!;
        if (m.type === "segment") ready.set(m.seg.index, m);
        else if (m.type === "done") done++;
        else if (m.name === "WorkerFailed") {
          // A worker that cannot run (e.g. its module cannot be loaded): plan the rest here,
          // the same segments from where the workers stopped.
          finished = true;
          for (const w of this.#workers) w.terminate();
          for await (const s of this.#fallback().segments(set, order, batchSize, firstStep)) {
            if (s.seg.index >= next) yield s;
          }
          return;
        } else {
          finished = true;
          const E = m.name === "RangeError" ? RangeError : Error;
          throw new E(m.message);
        }
      }
    } finally {
      if (!finished) {
        for (const w of this.#workers) w.postMessage({ type: "cancel", id } satisfies PlanRequest);
      }
    }
  }

  destroy(): void {
    for (const w of this.#workers) w.terminate();
  }
}

/** The id lists the planner reads, copied once into shared memory that every worker maps. */
function _sharedFeatures(f: PairFeatures): PairFeatures {
  const share = (a: Uint32Array) => {
    const out = new Uint32Array(new SharedArrayBuffer(Math.max(4, a.byteLength)), 0, a.length);
    out.set(a);
    return out;
  };
  return {
    n: f.n,
    promptOffsets: share(f.promptOffsets),
    promptIds: share(f.promptIds),
    aOffsets: share(f.aOffsets),
    aIds: share(f.aIds),
    bOffsets: share(f.bOffsets),
    bIds: share(f.bIds),
  };
}

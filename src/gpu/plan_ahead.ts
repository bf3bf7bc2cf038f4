/**
 * Epoch planning off the submitting thread: a Worker builds each segment's lists (touched rows,
 * blocks, contributions; `train_plan.ts`) while the main thread records and submits the previous
 * segments, so the host's critical path per step is the recording and the upload of its lists.
 * Where Workers are unavailable (or `inline` is asked for) the same planner runs in the calling
 * thread, segment by segment.
 *
 * @module
 */
import type { ModelConfig, PairFeatures, TrainSet } from "../model/types.ts";
import { type PlanReply, type PlanRequest, wallMs } from "./plan_worker.ts";
import { type SegmentPlan, TrainPlanner } from "./train_plan.ts";

/** One planned segment, with when (wall-clock ms) and where it was planned. */
export interface TimedSegment {
  seg: SegmentPlan;
  planStart: number;
  planEnd: number;
}

/** Steps per segment: small enough that the first submission comes early. */
export const STEPS_PER_SEGMENT = 8;

/** Plans the segments of epochs over one set of loaded features. */
export interface SegmentSource {
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
  ): AsyncGenerator<TimedSegment>;
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
}

/**
 * Opens a planner for `features`: in a Worker unless `inline` or Workers are unavailable.
 *
 * @param features The loaded features (copied to the worker once).
 * @param shape Model shape, table split and binding size.
 * @param inline Plan in the calling thread.
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
  inline = false,
): SegmentSource {
  if (!inline && typeof Worker !== "undefined") {
    try {
      return new WorkerPlanner(features, shape);
    } catch {
      // No worker (e.g. a restricted runtime): plan in this thread.
    }
  }
  return new InlinePlanner(features, shape);
}

class InlinePlanner implements SegmentSource {
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
    const it = this.#planner.segments(set, order, batchSize, firstStep, this.#steps);
    while (true) {
      const planStart = wallMs();
      const next = it.next();
      if (next.done) return;
      yield { seg: next.value, planStart, planEnd: wallMs() };
    }
  }

  destroy(): void {}
}

class WorkerPlanner implements SegmentSource {
  readonly offThread = true;
  readonly #worker: Worker;
  readonly #steps: number;
  #epoch = 0;
  #inbox: PlanReply[] = [];
  #wake: (() => void) | null = null;

  constructor(f: PairFeatures, s: PlanShape) {
    this.#worker = new Worker(new URL("./plan_worker.ts", import.meta.url).href, {
      type: "module",
      name: "serflow epoch planner",
    });
    this.#steps = s.stepsPerSegment ?? STEPS_PER_SEGMENT;
    this.#worker.onmessage = (e: MessageEvent<PlanReply>) => {
      if (e.data.id !== this.#epoch) return; // a cancelled epoch's late segment
      this.#inbox.push(e.data);
      this.#wake?.();
      this.#wake = null;
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#inbox.push({
        type: "error",
        id: this.#epoch,
        name: "Error",
        message: `Cannot plan the epoch as the planning worker failed: ${e.message}`,
      });
      this.#wake?.();
      this.#wake = null;
    };
    this.#send({
      type: "load",
      features: f,
      cfg: s.cfg,
      rowsPerChunk: s.rowsPerChunk,
      maxEntries: s.maxEntries,
    });
  }

  #send(r: PlanRequest): void {
    this.#worker.postMessage(r);
  }

  async *segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
  ): AsyncGenerator<TimedSegment> {
    const id = ++this.#epoch;
    this.#inbox = [];
    this.#send({ type: "epoch", id, set, order, batchSize, firstStep, maxSteps: this.#steps });
    let finished = false;
    try {
      while (true) {
        while (this.#inbox.length === 0) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        const r = this.#inbox.shift()!;
        if (r.type === "done") {
          finished = true;
          return;
        }
        if (r.type === "error") {
          finished = true;
          const E = r.name === "RangeError" ? RangeError : Error;
          throw new E(r.message);
        }
        yield { seg: r.seg, planStart: r.start, planEnd: r.end };
        this.#send({ type: "ack", id });
      }
    } finally {
      if (!finished) this.#send({ type: "cancel", id });
    }
  }

  destroy(): void {
    this.#worker.terminate();
  }
}

/**
 * The host side of an epoch whose touched-row lists are built on the GPU (`row_lists.ts`): per
 * segment of steps, the examples in step order (pair indices, targets) and each step's token
 * count (to size its dispatches). O(examples) work per step, done inline on the submitting
 * thread (about 10 us per 1024-pair step), so no planning worker is needed; segments ramp up
 * 1, 2, 4, ... steps like the host planner's, so the device starts after one step, up to
 * `GPU_LIST_STEPS` steps (each segment costs the host a command encoder, its uploads and a
 * submit, so long segments amortize them), and a short tail joins the segment before it.
 *
 * @module
 */
import type { PairFeatures, TrainSet } from "../model/types.ts";
import type { SegmentSource } from "./plan_ahead.ts";
import { wallMs } from "./plan_worker.ts";
import { scanSpace } from "./prefix_scan.ts";
import { blockSlots } from "./row_lists.ts";

/**
 * Steps per segment when the GPU builds the lists: a segment's host work is only its recording,
 * so segments are longer than the host planner's (`STEPS_PER_SEGMENT`).
 */
export const GPU_LIST_STEPS = 32;

/** One mini-batch whose lists the GPU builds. */
export interface BatchStep {
  /** Position of the step's first example in the segment's lists. */
  pos: number;
  /** Examples. */
  n: number;
  /** Global optimizer step `t` (from 1). */
  t: number;
  /** Token occurrences of its bags (0 for precomputed embeddings). */
  tokens: number;
}

/** What one submission uploads when the GPU builds the lists. */
export interface BatchSegment {
  /** Position of the segment in the epoch (0, 1, ...). */
  index: number;
  /** Marks the segment as GPU-listed (the host planner's segments carry `rows`). */
  gpuLists: true;
  steps: BatchStep[];
  /** u32 pair index per example, in step order. */
  pairs: Uint32Array;
  /** f32 (label, weight) per example. */
  targets: Float32Array;
}

/**
 * Cuts epochs into segments of steps for GPU-built lists.
 *
 * @example
 * ```ts
 * import { BatchPlanner } from "./batch_plan.ts";
 * const o = new Uint32Array([0, 2, 3]), e = new Uint32Array([0, 0, 0]);
 * const f = { n: 2, promptOffsets: o, promptIds: new Uint32Array([5, 2, 1]), aOffsets: e,
 *   aIds: new Uint32Array(0), bOffsets: e, bIds: new Uint32Array(0) };
 * const set = { indices: new Uint32Array([0, 1]), labels: new Int8Array([1, 0]),
 *   weights: new Float32Array([1, 1]) };
 * const segs = [...new BatchPlanner(f, true, 1 << 20, 8).segments(set, new Uint32Array([1, 0]), 1, 0, 4)];
 * if (segs.length !== 2 || segs[0].steps[0].tokens !== 1 || segs[1].steps[0].tokens !== 2) {
 *   throw new Error();
 * }
 * ```
 */
export class BatchPlanner {
  readonly #f: PairFeatures;
  readonly #bag: boolean;
  readonly #maxEntries: number;
  readonly #dim: number;

  /**
   * @param f The loaded features.
   * @param bag Whether the input is bags of ids (else precomputed vectors: no tokens).
   * @param maxEntries Most u32/f32 entries of one storage binding.
   * @param dim Embedding width (sizes the block sums).
   */
  constructor(f: PairFeatures, bag: boolean, maxEntries: number, dim: number) {
    this.#f = f;
    this.#bag = bag;
    this.#maxEntries = maxEntries;
    this.#dim = dim;
  }

  #tokens(i: number): number {
    const f = this.#f;
    return f.promptOffsets[i + 1] - f.promptOffsets[i] + f.aOffsets[i + 1] - f.aOffsets[i] +
      f.bOffsets[i + 1] - f.bOffsets[i];
  }

  /**
   * Yields the epoch's segments.
   *
   * @param set The examples (already checked).
   * @param order Positions into `set`.
   * @param batchSize Mini-batch size.
   * @param firstStep The optimizer step count before the epoch.
   * @param maxSteps Most steps per segment (the first segments hold 1, 2, 4, ... steps; steps
   *   left over that would make a smaller segment join the one before when it can hold them).
   * @throws RangeError when one step's lists exceed a storage binding.
   */
  *segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
    maxSteps: number,
  ): Generator<BatchSegment> {
    const steps = Math.ceil(order.length / batchSize);
    let s = 0, cap = 1, index = 0;
    while (s < steps) {
      let end = Math.min(steps, s + cap);
      if (steps - end < cap && steps - s <= maxSteps) end = steps;
      const a = s * batchSize;
      const b = Math.min(order.length, end * batchSize);
      const pairs = new Uint32Array(b - a), targets = new Float32Array(2 * (b - a));
      const list: BatchStep[] = [];
      for (let st = s; st < end; st++) {
        const first = st * batchSize, last = Math.min(order.length, first + batchSize);
        let tokens = 0;
        for (let e = first; e < last; e++) {
          const p = order[e], at = e - a, i = set.indices[p];
          pairs[at] = i;
          targets[2 * at] = set.labels[p];
          targets[2 * at + 1] = set.weights[p];
          if (this.#bag) tokens += this.#tokens(i);
        }
        this.#check(last - first, tokens);
        list.push({ pos: first - a, n: last - first, t: firstStep + st + 1, tokens });
      }
      yield { index: index++, gpuLists: true, steps: list, pairs, targets };
      s = end;
      cap = Math.min(maxSteps, 2 * cap);
    }
  }

  /** The widest list of a step (touched rows, scan, block sums) must fit one binding. */
  #check(n: number, tokens: number): void {
    const widest = Math.max(
      4 * tokens,
      scanSpace(Math.max(tokens, 3 * n)),
      blockSlots(tokens) * this.#dim,
    );
    if (widest > this.#maxEntries) {
      throw new RangeError(
        `Cannot train a mini-batch of ${n} pairs with ${tokens} tokens as its lists exceed the ` +
          `GPU's storage binding of ${this.#maxEntries * 4} bytes: lower train.batch`,
      );
    }
  }
}

/**
 * A `SegmentSource` for GPU-built lists: plans inline (its work is O(examples)).
 *
 * @param f The loaded features.
 * @param bag Bag input.
 * @param maxEntries Binding entries.
 * @param dim Embedding width.
 * @param stepsPerSegment Steps per segment.
 * @returns The source.
 */
export function batchSource(
  f: PairFeatures,
  bag: boolean,
  maxEntries: number,
  dim: number,
  stepsPerSegment: number,
): SegmentSource<BatchSegment> {
  const planner = new BatchPlanner(f, bag, maxEntries, dim);
  return {
    offThread: false,
    async *segments(set, order, batchSize, firstStep) {
      const it = planner.segments(set, order, batchSize, firstStep, stepsPerSegment);
      while (true) {
        const planStart = wallMs();
        const next = it.next();
        if (next.done) return;
        yield { seg: next.value, planStart, planEnd: wallMs() };
      }
    },
    destroy() {},
  };
}

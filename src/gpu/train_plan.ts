/**
 * The host side of a GPU epoch, done once up front: lays the epoch's examples out in step order,
 * and for every mini-batch lists the embedding rows it touches (sorted, each once) with the bag
 * slots that contribute to each (in slot order). That is what lets the embedding kernels sum
 * gradients with one owner per row and no atomics. A row with more than `GRAD_BLOCK`
 * contributions (a frequent token) is summed in two levels, blocks of `GRAD_BLOCK` first
 * (`embedding_grad.wgsl`), so no invocation walks a long list alone. O(tokens) per epoch plus a
 * sort of each step's distinct rows.
 *
 * The epoch is cut into segments of a few steps whose lists fit one storage binding each; each
 * segment is one command submission. `plan_ahead.ts` runs this planner in a Worker, ahead of the
 * submissions, so that the host's critical path is only the recording and upload of each segment.
 *
 * @module
 */
import type { ModelConfig, PairFeatures, TrainSet } from "../model/types.ts";
import { ROW_WORDS, StepRowLister } from "./step_rows.ts";

/** One touched-row range of a step that lives in one table chunk. */
export interface ChunkRange {
  chunk: number;
  /** First entry (row triple) in the segment's `rows` list. */
  rowBase: number;
  count: number;
}

/** Contributions summed by one invocation of `embedding_grad` (a frequent row's block). */
export const GRAD_BLOCK = 64;

/** One mini-batch. */
export interface StepPlan {
  /** Position of the step's first example in the segment's lists. */
  pos: number;
  /** Examples in the mini-batch. */
  n: number;
  /** Global optimizer step `t` (from 1). */
  t: number;
  /** Touched rows by table chunk (empty for precomputed embeddings). */
  chunks: ChunkRange[];
  /** The step's blocks of frequent rows in the segment's `blocks` list. */
  blocks: { base: number; count: number };
  /** Touched rows, token occurrences, and the occurrences of frequent rows (for cost counts). */
  touched: number;
  contributions: number;
  blockedContributions: number;
}

/** The lists one submission uploads. */
export interface SegmentPlan {
  /** Position of the segment in the epoch (0, 1, ...). */
  index: number;
  steps: StepPlan[];
  /** u32 pair index per example, in step order. */
  pairs: Uint32Array;
  /** f32 (label, weight) per example. */
  targets: Float32Array;
  /**
   * u32 (row, first, end, blocked) per touched row, sorted by row within each step: with
   * blocked = 0, contributions [first, end); with 1, blocks [first, end) of `blocks`.
   */
  rows: Uint32Array;
  /** u32 (first, end) contribution ranges of at most `GRAD_BLOCK`, per block. */
  blocks: Uint32Array;
  /** u32 bag slot (3 i + k, i local to the step) per token occurrence. */
  contribs: Uint32Array;
}

/** Builds the per-segment lists of epochs over one set of loaded features. */
export class TrainPlanner {
  readonly #f: PairFeatures;
  readonly #bag: boolean;
  readonly #rowsPerChunk: number;
  readonly #maxEntries: number;
  readonly #dim: number;
  readonly #lister: StepRowLister;

  /**
   * @param f The loaded features.
   * @param cfg The model shape.
   * @param rowsPerChunk Embedding table rows per chunk.
   * @param maxEntries Most u32/f32 entries in one list (the binding size / 4).
   */
  constructor(f: PairFeatures, cfg: ModelConfig, rowsPerChunk: number, maxEntries: number) {
    this.#f = f;
    this.#bag = cfg.input === "bag";
    this.#rowsPerChunk = rowsPerChunk;
    this.#maxEntries = maxEntries;
    this.#dim = cfg.dim;
    this.#lister = new StepRowLister(f, this.#bag ? cfg.buckets : 0);
  }

  #tokens(i: number): number {
    const f = this.#f;
    if (!this.#bag) return 0;
    return f.promptOffsets[i + 1] - f.promptOffsets[i] + f.aOffsets[i + 1] - f.aOffsets[i] +
      f.bOffsets[i + 1] - f.bOffsets[i];
  }

  /**
   * Yields the epoch's segments, building each when asked (so the host builds segment k + 1
   * while the GPU runs segment k).
   *
   * @param set The examples (checked with `checkTrainSet`).
   * @param order Positions into `set`, walked in chunks of `batchSize`.
   * @param batchSize Mini-batch size.
   * @param firstStep The optimizer step count before the epoch.
   * @param maxSteps Most steps per segment (segments are also cut where a list would outgrow one
   *   binding): small segments let a planner running ahead hand the GPU work sooner. With
   *   `rampUp`, the first segments hold 1, 2, 4, ... steps up to `maxSteps`, so the device
   *   starts after one step's planning.
   * @param rampUp Grow segment sizes from 1 step.
   * @param share Build only the segments whose index is `share.worker` modulo `share.workers`
   *   (the others are cut the same way but skipped), so several planners split an epoch.
   */
  *segments(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    firstStep: number,
    maxSteps = Infinity,
    rampUp = false,
    share = { worker: 0, workers: 1 },
  ): Generator<SegmentPlan> {
    const steps = Math.ceil(order.length / batchSize);
    let s = 0, cap = rampUp ? 1 : maxSteps, index = 0;
    while (s < steps) {
      // Grow the segment step by step while every list stays within one binding.
      let end = s, examples = 0, tokens = 0;
      while (end < steps && end - s < cap) {
        const a = end * batchSize, b = Math.min(order.length, a + batchSize);
        let t = 0;
        for (let e = a; e < b; e++) t += this.#tokens(set.indices[order[e]]);
        const ex = examples + b - a, tok = tokens + t;
        if (2 * ex > this.#maxEntries || this.#bound(tok) > this.#maxEntries) {
          if (end === s) {
            throw new RangeError(
              `Cannot train a mini-batch of ${
                b - a
              } pairs with ${t} tokens as its lists exceed the ` +
                `GPU's storage binding of ${this.#maxEntries * 4} bytes: lower train.batch`,
            );
          }
          break;
        }
        examples = ex;
        tokens = tok;
        end++;
      }
      if (index % share.workers === share.worker) {
        const seg = this.#build(set, order, batchSize, s, end, examples, tokens, firstStep);
        yield { ...seg, index };
      }
      index++;
      s = end;
      cap = Math.min(maxSteps, 2 * cap);
    }
  }

  /** The longest list (entries) of a segment with `tokens` tokens. */
  #bound(tokens: number): number {
    return Math.max(ROW_WORDS * tokens, _maxBlocks(tokens) * Math.max(2, this.#dim));
  }

  #build(
    set: TrainSet,
    order: Uint32Array,
    batchSize: number,
    s0: number,
    s1: number,
    examples: number,
    tokens: number,
    firstStep: number,
  ): Omit<SegmentPlan, "index"> {
    const pairs = new Uint32Array(examples), targets = new Float32Array(2 * examples);
    const rows = new Uint32Array(ROW_WORDS * tokens), contribs = new Uint32Array(tokens);
    const blocks = new Uint32Array(2 * _maxBlocks(tokens));
    const steps: StepPlan[] = [];
    let pos = 0, u = 0, c = 0, k = 0;
    for (let s = s0; s < s1; s++) {
      const a = s * batchSize, b = Math.min(order.length, a + batchSize);
      for (let e = a; e < b; e++) {
        const p = order[e], at = pos + e - a;
        pairs[at] = set.indices[p];
        targets[2 * at] = set.labels[p];
        targets[2 * at + 1] = set.weights[p];
      }
      const step: StepPlan = {
        pos,
        n: b - a,
        t: firstStep + s + 1,
        chunks: [],
        blocks: { base: k, count: 0 },
        touched: 0,
        contributions: 0,
        blockedContributions: 0,
      };
      if (this.#bag) {
        const u0 = u, c0 = c;
        [u, c] = this.#lister.list(pairs.subarray(pos, pos + step.n), rows, contribs, u, c);
        step.touched = u - u0;
        step.contributions = c - c0;
        step.chunks = this.#chunkRanges(rows, u0, u);
        for (let j = u0; j < u; j++) {
          const e = ROW_WORDS * j, first = rows[e + 1], end = rows[e + 2];
          if (end - first <= GRAD_BLOCK) continue;
          step.blockedContributions += end - first;
          rows[e + 1] = k;
          for (let b = first; b < end; b += GRAD_BLOCK, k++) {
            blocks[2 * k] = b;
            blocks[2 * k + 1] = Math.min(end, b + GRAD_BLOCK);
          }
          rows[e + 2] = k;
          rows[e + 3] = 1;
        }
        step.blocks.count = k - step.blocks.base;
      }
      steps.push(step);
      pos += step.n;
    }
    return {
      steps,
      pairs,
      targets,
      rows: rows.subarray(0, ROW_WORDS * u),
      blocks: blocks.subarray(0, 2 * k),
      contribs,
    };
  }

  #chunkRanges(rows: Uint32Array, u0: number, u1: number): ChunkRange[] {
    const out: ChunkRange[] = [];
    for (let j = u0; j < u1; j++) {
      const chunk = Math.floor(rows[ROW_WORDS * j] / this.#rowsPerChunk);
      const last = out[out.length - 1];
      if (last && last.chunk === chunk) last.count++;
      else out.push({ chunk, rowBase: j, count: 1 });
    }
    return out;
  }
}

/** Most blocks `tokens` contributions can make (each blocked row has more than GRAD_BLOCK). */
function _maxBlocks(tokens: number): number {
  return Math.ceil((2 * tokens) / GRAD_BLOCK);
}

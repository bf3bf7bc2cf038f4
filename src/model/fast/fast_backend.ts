/**
 * The CPU fast path of the reward model: the math of `types.ts` in float32 over mini-batches,
 * with WebAssembly SIMD kernels (blocked GEMM, bag pooling and scatter, lazy AdamW on rows, a
 * forward-only scoring pass) on a shared memory, and optionally Workers. Results match the
 * reference (`cpu_backend.ts`) within float32 rounding and do not depend on the number of threads:
 * chunks of `CHUNK_PAIRS` pairs are fixed, their gradients are summed in chunk order, each
 * embedding row is summed pair by pair, and a pair's rewards do not depend on the pairs scored
 * with it.
 *
 * @module
 */
import { checkFeatures } from "../check_features.ts";
import { checkTrainSet } from "../check_train_set.ts";
import { checkParamSizes, initParams, zeroParams } from "../params.ts";
import type {
  EpochResult,
  ModelConfig,
  ModelParams,
  OptimizerState,
  PairFeatures,
  RewardBackend,
  Scores,
  TrainOptions,
  TrainSet,
} from "../types.ts";
import { Rng } from "../../contracts/rng.ts";
import { Arena } from "./arena.ts";
import type { ChunkEnv } from "./chunk_forward.ts";
import { type Crew, LocalCrew } from "./crew.ts";
import {
  type DenseArrays,
  denseStep,
  denseViews,
  packDense,
  transposeW1,
  unpackDense,
  zeroDense,
} from "./dense.ts";
import { touchRows } from "./embedding_step.ts";
import { allocLayout, chunkGradSize, ensureBatch, ensureScore } from "./layout.ts";
import { loadFeatures } from "./load_features.ts";
import { packScoreWeights } from "./score_weights.ts";
import { CHUNK_PAIRS, fastShape } from "./shape.ts";
import { WorkerCrew } from "./worker_crew.ts";

/** Options of `FastCpuBackend.create`. */
export interface FastCpuOptions {
  /** Threads (1: no Workers). Default: `navigator.hardwareConcurrency`, at most 8. */
  threads?: number;
}

/** The fast CPU backend (float32, WebAssembly SIMD, Workers). */
export class FastCpuBackend implements RewardBackend {
  readonly kind = "cpu" as const;
  readonly deviceName: string;
  readonly config: ModelConfig;
  #env: ChunkEnv;
  #crew: Crew;
  #m: DenseArrays;
  #v: DenseArrays;
  #step = 0;
  #set = false;
  #n = -1;
  #caps = new Map<string, { at: number; cap: number }>();
  #mark?: Uint32Array;
  #stamp = 0;
  #g: Float64Array;
  #snap?: {
    tables: Float32Array[];
    dense: Float32Array;
    m: DenseArrays;
    v: DenseArrays;
    step: number;
  };

  private constructor(cfg: ModelConfig, threads: number) {
    this.config = { ...cfg };
    const shape = fastShape(cfg), arena = new Arena();
    const layout = allocLayout(arena, shape, cfg.buckets, threads);
    this.#env = { arena, layout, shape, pooling: cfg.pooling, activation: cfg.activation };
    this.#crew = threads > 1 ? new WorkerCrew(this.#env, threads) : new LocalCrew(this.#env);
    this.#m = zeroDense(shape), this.#v = zeroDense(shape);
    this.#g = new Float64Array(chunkGradSize(shape));
    this.deviceName = `CPU, WebAssembly SIMD, ${threads} thread${threads > 1 ? "s" : ""}`;
  }

  /**
   * Creates a backend. Its weights are `initParams(cfg, new Rng(0))` until `setParams`.
   *
   * @param cfg The model shape.
   * @param opts Threads.
   * @returns The backend; call `destroy()` to stop its workers.
   * @example
   * ```ts
   * import { FastCpuBackend } from "./fast_backend.ts";
   * import { DEFAULT_MODEL } from "../types.ts";
   * const b = FastCpuBackend.create({ ...DEFAULT_MODEL, buckets: 16, dim: 4, hidden: 8 }, { threads: 1 });
   * const o = new Uint32Array([0, 1]), ids = new Uint32Array([3]);
   * await b.load({ n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids });
   * const s = await b.score(new Uint32Array([0]));
   * if (s.rewardA[0] !== s.rewardB[0]) throw new Error("same bags, same reward");
   * b.destroy();
   * ```
   */
  static create(cfg: ModelConfig, opts: FastCpuOptions = {}): FastCpuBackend {
    const threads = opts.threads ?? Math.min(8, navigator.hardwareConcurrency || 1);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(
        `Cannot create the CPU backend as 'threads' must be a positive integer: current value is ${threads}`,
      );
    }
    return new FastCpuBackend(cfg, threads);
  }

  /** Copies the features into the backend's memory after validating them. */
  async load(features: PairFeatures): Promise<void> {
    checkFeatures(features, this.config);
    loadFeatures(this.#env, features, this.#caps);
    this.#n = features.n;
    await Promise.resolve();
  }

  /** Copies in the weights and the optimizer state (fresh when omitted). */
  async setParams(params: ModelParams, optimizer?: OptimizerState): Promise<void> {
    checkParamSizes(params, this.config);
    if (optimizer) {
      checkParamSizes(optimizer.m, this.config, "Adam moment m");
      checkParamSizes(optimizer.v, this.config, "Adam moment v");
    }
    const { arena: a, layout: l, shape: s } = this.#env;
    this.#putTable(l.emb, params.embedding);
    packDense(s, params, denseViews(this.#env));
    this.#m = zeroDense(s), this.#v = zeroDense(s);
    if (optimizer) {
      this.#putTable(l.embM, optimizer.m.embedding);
      this.#putTable(l.embV, optimizer.v.embedding);
      packDense(s, optimizer.m, this.#m), packDense(s, optimizer.v, this.#v);
    } else if (s.bag) {
      a.f32.fill(0, l.embM, l.embM + this.config.buckets * s.dp);
      a.f32.fill(0, l.embV, l.embV + this.config.buckets * s.dp);
    }
    this.#step = optimizer?.step ?? 0;
    this.#afterWeights();
    this.#set = true;
    await Promise.resolve();
  }

  /** Copies of the weights and optimizer state. */
  async getParams(): Promise<{ params: ModelParams; optimizer: OptimizerState }> {
    this.#ensureParams();
    const s = this.#env.shape, l = this.#env.layout, cfg = this.config;
    const params = zeroParams(cfg), m = zeroParams(cfg), v = zeroParams(cfg);
    this.#getTable(l.emb, params.embedding), unpackDense(s, denseViews(this.#env), params);
    this.#getTable(l.embM, m.embedding), unpackDense(s, this.#m, m);
    this.#getTable(l.embV, v.embedding), unpackDense(s, this.#v, v);
    await Promise.resolve();
    return { params, optimizer: { step: this.#step, m, v } };
  }

  /** Copies the weights and optimizer state aside (see `restore`). */
  async snapshot(): Promise<void> {
    this.#ensureParams();
    const { arena: a, layout: l, shape: s } = this.#env, f = a.f32;
    const table = s.bag ? this.config.buckets * s.dp : 0;
    const copy = (d: DenseArrays) => ({
      w1: d.w1.slice(),
      b1: d.b1.slice(),
      w2: d.w2.slice(),
      b2: d.b2.slice(),
    });
    this.#snap = {
      tables: s.bag ? [l.emb, l.embM, l.embV].map((at) => f.slice(at, at + table)) : [],
      dense: f.slice(l.w1, l.b2 + 4), // w1, w1t, b1, w2, b2 lie in this order
      m: copy(this.#m),
      v: copy(this.#v),
      step: this.#step,
    };
    await Promise.resolve();
  }

  /** Sets the weights and optimizer state back to the last snapshot. */
  async restore(): Promise<void> {
    const snap = this.#snap;
    if (!snap) throw new Error("Cannot restore the weights as no snapshot() was taken");
    const { arena: a, layout: l } = this.#env, f = a.f32;
    [l.emb, l.embM, l.embV].forEach((at, k) => snap.tables[k] && f.set(snap.tables[k], at));
    f.set(snap.dense, l.w1);
    this.#m = zeroDense(this.#env.shape), this.#v = zeroDense(this.#env.shape);
    for (const [to, from] of [[this.#m, snap.m], [this.#v, snap.v]] as const) {
      to.w1.set(from.w1), to.b1.set(from.b1), to.w2.set(from.w2), to.b2.set(from.b2);
    }
    this.#step = snap.step;
    this.#afterWeights();
    await Promise.resolve();
  }

  /**
   * One epoch: consecutive chunks of `order` of `opts.batchSize`, one AdamW step each; then the
   * rewards of `scoreAfter`, when given.
   */
  async trainEpoch(
    set: TrainSet,
    order: Uint32Array,
    opts: TrainOptions,
    scoreAfter?: Uint32Array,
  ): Promise<EpochResult> {
    const env = this.#env, s = env.shape;
    checkTrainSet(set, order, this.#loaded("train"), opts.batchSize);
    this.#ensureParams();
    ensureBatch(env.arena, env.layout, s, Math.min(opts.batchSize, Math.max(order.length, 1)));
    const mark = s.bag ? (this.#mark ??= new Uint32Array(this.config.buckets)) : undefined;
    let lossSum = 0, right = 0;
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const end = Math.min(order.length, start + opts.batchSize), len = end - start;
      const a = env.arena, b = env.layout.batch;
      for (let t = 0; t < len; t++) {
        const pos = order[start + t];
        a.u32[b.idx + t] = set.indices[pos];
        a.f32[b.y + t] = set.labels[pos];
        a.f32[b.w + t] = set.weights[pos];
      }
      await this.#crew.run({ kind: "train", len, scale: 1 / len, margin: opts.margin });
      const step = ++this.#step, chunks = Math.ceil(len / CHUNK_PAIRS);
      for (let c = 0; c < chunks; c++) {
        lossSum += a.f64[b.stats / 2 + 2 * c], right += a.f64[b.stats / 2 + 2 * c + 1];
      }
      denseStep(env, chunks, this.#m, this.#v, this.#g, step, opts);
      if (mark) {
        const touched = touchRows(env, len, mark, ++this.#stamp);
        await this.#crew.run({ kind: "embed", len, touched, step, opts });
      }
    }
    const n = Math.max(order.length, 1), stats = { loss: lossSum / n, accuracy: right / n };
    return scoreAfter ? { ...stats, scores: await this.score(scoreAfter) } : stats;
  }

  /** Rewards of the pairs at `indices` (float32). */
  async score(indices: Uint32Array): Promise<Scores> {
    const n = this.#loaded("score"), env = this.#env;
    this.#ensureParams();
    for (const i of indices) {
      if (i >= n) throw new RangeError(`Cannot score pair ${i} as only ${n} pairs are loaded`);
    }
    ensureScore(env.arena, env.layout, indices.length);
    packScoreWeights(env);
    const a = env.arena, sc = env.layout.score;
    a.u32.set(indices, sc.idx);
    await this.#crew.run({ kind: "score", len: indices.length });
    return {
      rewardA: a.f32.slice(sc.out, sc.out + indices.length),
      rewardB: a.f32.slice(sc.out + sc.cap, sc.out + sc.cap + indices.length),
    };
  }

  /** Stops the workers; the backend cannot be used afterwards. */
  destroy(): void {
    this.#crew.close();
    this.#n = -1;
  }

  #ensureParams(): void {
    if (!this.#set) {
      const p = initParams(this.config, new Rng(0));
      this.#putTable(this.#env.layout.emb, p.embedding);
      packDense(this.#env.shape, p, denseViews(this.#env));
      this.#afterWeights();
      this.#set = true;
    }
  }

  #afterWeights(): void {
    transposeW1(this.#env);
  }

  #putTable(at: number, table: Float32Array): void {
    const { dim, dp } = this.#env.shape, f = this.#env.arena.f32;
    if (at < 0) return;
    if (dim === dp) return f.set(table, at);
    for (let r = 0; r < this.config.buckets; r++) {
      f.set(table.subarray(r * dim, (r + 1) * dim), at + r * dp);
    }
  }

  #getTable(at: number, out: Float32Array): void {
    const { dim, dp } = this.#env.shape, f = this.#env.arena.f32;
    if (at < 0) return;
    if (dim === dp) return out.set(f.subarray(at, at + out.length));
    for (let r = 0; r < this.config.buckets; r++) {
      out.set(f.subarray(at + r * dp, at + r * dp + dim), r * dim);
    }
  }

  #loaded(what: string): number {
    if (this.#n < 0) {
      throw new Error(`Cannot ${what} as no features are loaded: call load(features) first`);
    }
    return this.#n;
  }
}

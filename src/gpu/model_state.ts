/**
 * The reward model's weights and AdamW moments on the GPU: the dense parameters packed as
 * `theta = [W1, b1, w2, b2]` (with `m`, `v` and the gradient in the same layout) and, for bag
 * input, the embedding table and its moments split by rows across bindings.
 *
 * @module
 */
import { checkParamSizes } from "../model/params.ts";
import {
  featureWidth,
  type ModelConfig,
  type ModelParams,
  type OptimizerState,
} from "../model/types.ts";
import { denseCount } from "./adam_dense.ts";
import { readBack, type ReadRange, storageBuffer, upload } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { MAX_TABLE_CHUNKS } from "./embedding_bag.ts";
import { ChunkedTable, planTable, type TablePlan } from "./table.ts";

/** Weights, moments and the dense gradient, resident on the device. */
export class ModelState {
  readonly theta: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  readonly grad: GPUBuffer;
  /** Embedding table, first and second moments (null for precomputed-embedding input). */
  readonly table: ChunkedTable | null;
  readonly tableM: ChunkedTable | null;
  readonly tableV: ChunkedTable | null;
  readonly plan: TablePlan;
  /** AdamW's global step. */
  step = 0;
  readonly #cfg: ModelConfig;
  readonly #gpu: GpuContext;

  /**
   * Allocates zero-filled state.
   *
   * @param gpu The device.
   * @param cfg The model shape.
   * @throws RangeError naming the sizes when the embedding table cannot be bound.
   */
  constructor(gpu: GpuContext, cfg: ModelConfig) {
    this.#gpu = gpu;
    this.#cfg = cfg;
    const bytes = 4 * denseCount({ hidden: cfg.hidden, features: featureWidth(cfg) });
    if (bytes > gpu.maxBindingBytes) {
      throw new RangeError(
        `Cannot fit the MLP's ${
          bytes / 4
        } weights in one storage binding of ${gpu.maxBindingBytes} bytes: lower model.hidden or model.dim`,
      );
    }
    this.theta = storageBuffer(gpu, "theta", bytes);
    this.m = storageBuffer(gpu, "theta m", bytes);
    this.v = storageBuffer(gpu, "theta v", bytes);
    this.grad = storageBuffer(gpu, "theta grad", bytes);
    const rows = cfg.input === "bag" ? cfg.buckets : 0;
    this.plan = planTable("embedding", rows, cfg.dim, gpu.maxBindingBytes, MAX_TABLE_CHUNKS);
    const bag = cfg.input === "bag";
    this.table = bag ? new ChunkedTable(gpu, "embedding", this.plan) : null;
    this.tableM = bag ? new ChunkedTable(gpu, "embedding m", this.plan) : null;
    this.tableV = bag ? new ChunkedTable(gpu, "embedding v", this.plan) : null;
  }

  /**
   * Uploads weights and optimizer state (zero moments and step 0 when `opt` is omitted).
   *
   * @param params The weights.
   * @param opt The optimizer state.
   */
  write(params: ModelParams, opt?: OptimizerState): void {
    const cfg = this.#cfg;
    checkParamSizes(params, cfg);
    if (opt) {
      checkParamSizes(opt.m, cfg, "Adam moment m");
      checkParamSizes(opt.v, cfg, "Adam moment v");
    }
    upload(this.#gpu, this.theta, _pack(params));
    const zeros = new Float32Array(this.theta.size / 4);
    upload(this.#gpu, this.m, opt ? _pack(opt.m) : zeros);
    upload(this.#gpu, this.v, opt ? _pack(opt.v) : zeros);
    if (this.table && this.tableM && this.tableV) {
      this.table.write(params.embedding);
      if (opt) {
        this.tableM.write(opt.m.embedding);
        this.tableV.write(opt.v.embedding);
      } else {
        this.#zeroTable(this.tableM);
        this.#zeroTable(this.tableV);
      }
    }
    this.step = opt?.step ?? 0;
  }

  #zeroTable(t: ChunkedTable): void {
    const enc = this.#gpu.device.createCommandEncoder();
    for (const b of t.buffers) enc.clearBuffer(b);
    this.#gpu.device.queue.submit([enc.finish()]);
  }

  /**
   * Reads weights and optimizer state back (one submission, one map).
   *
   * @returns Copies of everything.
   */
  async read(): Promise<{ params: ModelParams; optimizer: OptimizerState }> {
    const tables = [this.table, this.tableM, this.tableV];
    const ranges: ReadRange[] = [this.theta, this.m, this.v].map((buffer) => ({ buffer }));
    for (const t of tables) if (t) ranges.push(...t.ranges());
    const parts = await readBack(this.#gpu, ranges);
    const [theta, m, v] = parts;
    const embedding = tables.map((t, i) =>
      t ? t.assemble(parts.slice(3 + i * t.plan.chunks)) : new Float32Array(0)
    );
    return {
      params: this.#unpack(theta, embedding[0]),
      optimizer: {
        step: this.step,
        m: this.#unpack(m, embedding[1]),
        v: this.#unpack(v, embedding[2]),
      },
    };
  }

  #unpack(dense: Float32Array, embedding: Float32Array): ModelParams {
    const h = this.#cfg.hidden, w1 = h * featureWidth(this.#cfg);
    return {
      embedding,
      w1: dense.slice(0, w1),
      b1: dense.slice(w1, w1 + h),
      w2: dense.slice(w1 + h, w1 + 2 * h),
      b2: dense.slice(w1 + 2 * h, w1 + 2 * h + 1),
    };
  }

  /** Frees every buffer. */
  destroy(): void {
    for (const b of [this.theta, this.m, this.v, this.grad]) b.destroy();
    for (const t of [this.table, this.tableM, this.tableV]) t?.destroy();
  }
}

function _pack(p: ModelParams): Float32Array {
  const out = new Float32Array(p.w1.length + p.b1.length + p.w2.length + p.b2.length);
  let at = 0;
  for (const a of [p.w1, p.b1, p.w2, p.b2]) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

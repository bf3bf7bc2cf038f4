/**
 * The reward-model backend as a run resource: one decision of where the model runs (WebGPU or
 * the CPU fast path, with one fallback warning), one device for the whole run, and one loaded
 * model per checkpoint, shared by every stage that trains or scores (`train`, `score`,
 * `evaluate`, `ser`). The runtime closes it, and with it the device, when the run ends.
 *
 * @module
 */
import type { Logger, StageContext } from "../contracts/types.ts";
import { type GpuContext, openGpu } from "../gpu/device.ts";
import { GpuBackend } from "../gpu/gpu_backend.ts";
import { FastCpuBackend } from "../model/fast/fast_backend.ts";
import type { ModelConfig, RewardBackend } from "../model/types.ts";
import { CheckpointScorer } from "./checkpoint_scorer.ts";
import { resolveBackendKind } from "./open_backend.ts";

/** The run's compute: where the reward model runs, and the backends opened there. */
export class RunCompute {
  /** Where every backend of this run runs. */
  readonly kind: "webgpu" | "cpu";
  /** The adapter's description, or `cpu`. */
  readonly deviceName: string;
  readonly #gpu: GpuContext | null;
  readonly #log: Logger;
  readonly #open = new Set<RewardBackend>();
  readonly #scorers = new Map<string, Promise<CheckpointScorer>>();
  #closed = false;

  private constructor(kind: "webgpu" | "cpu", gpu: GpuContext | null, log: Logger) {
    this.kind = kind;
    this.#gpu = gpu;
    this.#log = log;
    this.deviceName = gpu?.adapterName ?? "cpu";
  }

  /**
   * Decides where the model runs and opens the device (once per run).
   *
   * @param mode The pipeline's `backend`: `webgpu`, `cpu` or `auto`.
   * @param log Where the device and any fallback warning are reported.
   * @returns The compute resource; `close()` ends it.
   * @example
   * ```ts
   * import { RunCompute } from "./run_compute.ts";
   * import { DEFAULT_MODEL } from "../model/types.ts";
   * const log = { debug() {}, info() {}, warn() {}, error() {} };
   * const compute = await RunCompute.open("cpu", log);
   * const b = await compute.backend({ ...DEFAULT_MODEL, buckets: 16 });
   * if (b.kind !== "cpu") throw new Error();
   * await compute.close();
   * ```
   */
  static async open(mode: "webgpu" | "cpu" | "auto", log: Logger): Promise<RunCompute> {
    const kind = await resolveBackendKind(mode, log);
    if (kind === "cpu") return new RunCompute("cpu", null, log);
    const gpu = await openGpu({ log });
    log.info("Reward model on WebGPU", { device: gpu.adapterName });
    return new RunCompute("webgpu", gpu, log);
  }

  /**
   * A backend for a model of shape `cfg` on the run's device. Its weights and features are its
   * own; `destroy()` frees them (the device stays open for the rest of the run), and whatever
   * is still open when the run ends is freed then.
   *
   * @param cfg The model shape.
   * @returns A fresh backend.
   */
  async backend(cfg: ModelConfig): Promise<RewardBackend> {
    if (this.#closed) throw new Error("Cannot open a backend as the run's compute is closed");
    const b = this.#gpu
      ? await GpuBackend.create(cfg, { gpu: this.#gpu, log: this.#log })
      : FastCpuBackend.create(cfg);
    const destroy = b.destroy.bind(b);
    this.#open.add(b);
    b.destroy = () => {
      this.#open.delete(b);
      destroy();
    };
    return b;
  }

  /**
   * The model of the checkpoint at `file`, loaded once per run (per file version) and shared by
   * every stage that scores with it; calls on it run one at a time.
   *
   * @param file The checkpoint's absolute path.
   * @returns The shared scorer (closed with the run: do not destroy it).
   */
  async scorer(file: string): Promise<CheckpointScorer> {
    const stat = await Deno.stat(file).catch(() => null);
    const key = `${file}@${stat?.mtime?.getTime() ?? 0}:${stat?.size ?? 0}`;
    let s = this.#scorers.get(key);
    if (!s) {
      s = CheckpointScorer.load(file, (cfg) => this.backend(cfg));
      this.#scorers.set(key, s);
      s.catch(() => this.#scorers.delete(key));
    }
    return await s;
  }

  /**
   * The run's WebGPU device (null when the reward model runs on the CPU): other GPU work of the
   * run, such as the `embed` stage's encoder, shares it. It is closed with the run: do not
   * destroy it.
   */
  get gpu(): GpuContext | null {
    return this.#gpu;
  }

  /** Frees every backend still open and the device. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#scorers.values());
    for (const b of [...this.#open]) b.destroy();
    this.#gpu?.destroy();
  }
}

/**
 * The run's compute resource, opened on first use from the pipeline's `backend` and closed by
 * the runtime at the end of the run.
 *
 * @param ctx The stage's context.
 * @returns The shared compute.
 * @example
 * ```ts ignore
 * const backend = await (await runCompute(ctx)).backend(model);
 * try { await backend.load(features); } finally { backend.destroy(); }
 * ```
 */
export function runCompute(ctx: StageContext): Promise<RunCompute> {
  return ctx.resources.get(
    "compute",
    () => RunCompute.open(ctx.backend, ctx.log),
    (c) => c.close(),
  );
}

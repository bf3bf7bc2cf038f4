/**
 * WebGPU device acquisition: one adapter, the limits the reward model needs (up to what the adapter
 * offers), and device loss turned into a clear error that rejects pending work instead of hanging.
 *
 * Deno picks the native backend itself (`DENO_WEBGPU_BACKEND=vulkan|gl`).
 *
 * @module
 */
import type { Logger } from "../contracts/types.ts";

/** The limits requested from the adapter, each up to what the adapter offers. */
export const REQUESTED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  // The adapter's (smaller) alignment packs the params of many dispatches closer: less to
  // upload per recording.
  "minUniformBufferOffsetAlignment",
] as const;

/** Options of `openGpu`. */
export interface OpenGpuOptions {
  /** Where the adapter's name and device loss are reported. */
  log?: Logger;
  /** Adapter power preference (default `high-performance`). */
  powerPreference?: GPUPowerPreference;
  /**
   * Caps the storage binding size below the adapter's (bytes): forces the embedding table split
   * on a small model, for tests.
   */
  maxStorageBindingBytes?: number;
  /**
   * Ask for GPU timestamps (the `timestamp-query` feature) when the adapter has them, so traced
   * epochs time each segment on the device (`GpuBackend.trace`).
   */
  timestamps?: boolean;
}

/** An open device with its adapter's name and limits; `destroy()` ends it. */
export class GpuContext {
  /** The device: every buffer and pipeline of a backend lives on it. */
  readonly device: GPUDevice;
  /** The adapter's description (e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`). */
  readonly adapterName: string;
  /** Largest storage binding in bytes (may be capped below the device limit by options). */
  readonly maxBindingBytes: number;
  #lostError: Error | null = null;
  #destroyed = false;
  #lost: Promise<never>;

  /**
   * Wraps a device; prefer `openGpu()`, which requests the limits the model needs.
   *
   * @param device An open device.
   * @param adapterName The adapter's description, used in messages.
   * @param maxBindingBytes The storage binding cap (defaults to the device's limit).
   * @param log Where an unexpected device loss is reported.
   */
  constructor(device: GPUDevice, adapterName: string, maxBindingBytes?: number, log?: Logger) {
    this.device = device;
    this.adapterName = adapterName;
    this.maxBindingBytes = Math.min(
      maxBindingBytes ?? Infinity,
      device.limits.maxStorageBufferBindingSize,
      device.limits.maxBufferSize,
    );
    this.#lost = device.lost.then((info) => {
      const err = new Error(
        `WebGPU device '${adapterName}' was lost (${info.reason}): ${
          info.message || "no message"
        }. ` +
          "Pending GPU work was abandoned; restart the run (a driver reset or running out of GPU " +
          "memory are the usual causes; try smaller model.buckets or train.batch, or backend: cpu)",
      );
      if (!this.#destroyed) {
        this.#lostError = err;
        log?.error("WebGPU device lost", { device: adapterName, reason: info.reason });
      }
      throw this.#destroyed
        ? new Error(`Cannot use GPU '${adapterName}' as it was destroyed`)
        : err;
    });
    this.#lost.catch(() => {});
  }

  /** True once the device is lost or destroyed. */
  get isLost(): boolean {
    return this.#destroyed || this.#lostError !== null;
  }

  /** Throws the loss error (or a use-after-destroy error) if the device is gone. */
  assertAlive(): void {
    if (this.#lostError) throw this.#lostError;
    if (this.#destroyed) {
      throw new Error(`Cannot use GPU '${this.adapterName}' as it was destroyed`);
    }
  }

  /**
   * Awaits GPU work, rejecting with the loss error if the device is lost first (never hangs).
   *
   * @param work A promise that settles when the GPU work does (e.g. `mapAsync`).
   * @returns What `work` resolves to.
   */
  async guard<T>(work: Promise<T>): Promise<T> {
    this.assertAlive();
    try {
      return await Promise.race([work, this.#lost]);
    } catch (e) {
      throw await this.#explain(e);
    }
  }

  /** A failure on a device that is being lost reports the loss (it settles a moment later). */
  async #explain(e: unknown): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = new Promise<void>((resolve) => timer = setTimeout(resolve, 100));
    try {
      await Promise.race([this.#lost, later]);
      return e;
    } catch (lost) {
      return lost;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `fn` (awaited when async: the scope then spans all the GPU calls it makes) inside a
   * validation error scope and throws what it raised, naming `what`.
   *
   * @param what What is being done, for the message (e.g. `compile shader 'mlp_forward'`).
   * @param fn The work to check.
   * @returns What `fn` returns.
   */
  async validated<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.assertAlive();
    this.device.pushErrorScope("out-of-memory");
    this.device.pushErrorScope("validation");
    let value: T | undefined, thrown: unknown, failed = false;
    try {
      value = await fn();
    } catch (e) {
      [failed, thrown] = [true, e];
    }
    const invalid = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    if (invalid) {
      throw await this.#explain(
        new Error(`Cannot ${what} on '${this.adapterName}': ${invalid.message}`),
      );
    }
    if (oom) {
      throw new Error(
        `Cannot ${what} on '${this.adapterName}' as the GPU is out of memory: ${oom.message}`,
      );
    }
    if (failed) throw await this.#explain(thrown);
    return value as T;
  }

  /** Destroys the device; later use throws. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.device.destroy();
  }
}

/** How to get an adapter, for messages where none is found. */
export const ADAPTER_HELP =
  "install a GPU driver, or use Mesa's software adapters: llvmpipe over " +
  "GL (present on most Linux systems; DENO_WEBGPU_BACKEND=gl) or lavapipe over Vulkan " +
  "(`apt-get install mesa-vulkan-drivers`; DENO_WEBGPU_BACKEND=vulkan)";

/**
 * Requests an adapter, or null when there is none (or WebGPU is unavailable).
 *
 * @param powerPreference Adapter preference.
 * @returns The adapter or null.
 * @example
 * ```ts
 * import { requestAdapter } from "./device.ts";
 * const adapter = await requestAdapter();
 * console.log(adapter ? adapter.info.description : "no adapter");
 * ```
 */
export async function requestAdapter(
  powerPreference: GPUPowerPreference = "high-performance",
): Promise<GPUAdapter | null> {
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) return null;
  try {
    return await navigator.gpu.requestAdapter({ powerPreference });
  } catch {
    return null;
  }
}

/**
 * Whether an adapter is a software rasterizer (Mesa llvmpipe or lavapipe, SwiftShader, WARP):
 * correct, but slower than the TypeScript reference on the same CPU.
 *
 * @param adapter The adapter.
 * @returns True for a fallback (software) adapter.
 * @example
 * ```ts
 * import { isSoftwareAdapter, requestAdapter } from "./device.ts";
 * const adapter = await requestAdapter();
 * if (adapter) console.log(isSoftwareAdapter(adapter) ? "software" : "hardware");
 * ```
 */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  if (info.isFallbackAdapter) return true;
  return /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render/i.test(
    `${info.description} ${info.device} ${info.vendor}`,
  );
}

/**
 * Opens a device with the limits the model needs, logging the adapter's name.
 *
 * @param opts Logging, power preference and a storage binding cap.
 * @returns The open context; call `destroy()` when done.
 * @throws Error saying how to get an adapter when there is none.
 * @example
 * ```ts
 * import { openGpu, requestAdapter } from "./device.ts";
 * if (await requestAdapter()) {
 *   const gpu = await openGpu();
 *   console.log(gpu.adapterName);
 *   gpu.destroy();
 * }
 * ```
 */
export async function openGpu(opts: OpenGpuOptions = {}): Promise<GpuContext> {
  const adapter = await requestAdapter(opts.powerPreference);
  if (!adapter) throw new Error(`Cannot open WebGPU as no adapter was found: ${ADAPTER_HELP}`);
  const requiredLimits: Record<string, number> = {};
  for (const key of REQUESTED_LIMITS) requiredLimits[key] = adapter.limits[key];
  const requiredFeatures: GPUFeatureName[] =
    opts.timestamps && adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const name = adapter.info.description || adapter.info.vendor || "unknown adapter";
  opts.log?.info("WebGPU adapter", {
    adapter: name,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  });
  return new GpuContext(device, name, opts.maxStorageBindingBytes, opts.log);
}

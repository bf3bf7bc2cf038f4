/**
 * Picks the reward-model backend: WebGPU on a GPU, else the CPU fast path (`model/fast/`:
 * float32, WebAssembly SIMD, Workers; the TypeScript reference is its oracle in tests)
 * (with a visible warning for `auto`, an error for `webgpu` when there is no adapter at all).
 *
 * @module
 */
import { ADAPTER_HELP, isSoftwareAdapter, requestAdapter } from "../gpu/device.ts";
import { GpuBackend, type GpuBackendOptions } from "../gpu/gpu_backend.ts";
import type { Logger } from "../contracts/types.ts";
import { FastCpuBackend } from "../model/fast/fast_backend.ts";
import type { ModelConfig, RewardBackend } from "../model/types.ts";

/**
 * Whether a WebGPU adapter is available.
 *
 * @returns True when `navigator.gpu.requestAdapter()` gives an adapter.
 * @example
 * ```ts
 * import { hasWebGpu } from "./open_backend.ts";
 * console.log((await hasWebGpu()) ? "webgpu" : "cpu only");
 * ```
 */
export async function hasWebGpu(): Promise<boolean> {
  return (await requestAdapter()) !== null;
}

/**
 * Opens the backend a pipeline asked for.
 *
 * @param mode `webgpu` (an adapter is required; a software one is used too), `cpu`, or `auto`:
 *   WebGPU on a hardware adapter; else the CPU fast path with a warning saying why and how to
 *   get a GPU adapter. A software adapter (Mesa llvmpipe/lavapipe) counts as none for `auto`, as
 *   the CPU path on the same cores is several times faster than it.
 * @param cfg The model shape.
 * @param log Where the adapter's name and the fallback warning go.
 * @param opts GPU options (device sharing, binding cap) when the backend is WebGPU.
 * @returns The backend; call `destroy()` when done.
 * @throws Error saying how to get an adapter when `mode` is `webgpu` and there is none.
 * @example
 * ```ts
 * import { openBackend } from "./open_backend.ts";
 * import { DEFAULT_MODEL } from "../model/types.ts";
 * const log = { debug() {}, info() {}, warn() {}, error() {} };
 * const b = await openBackend("cpu", { ...DEFAULT_MODEL, buckets: 16 }, log);
 * if (b.kind !== "cpu") throw new Error();
 * b.destroy();
 * ```
 */
export async function openBackend(
  mode: "webgpu" | "cpu" | "auto",
  cfg: ModelConfig,
  log: Logger,
  opts: Omit<GpuBackendOptions, "log"> = {},
): Promise<RewardBackend> {
  if (!opts.gpu && await resolveBackendKind(mode, log) === "cpu") return FastCpuBackend.create(cfg);
  const backend = await GpuBackend.create(cfg, { ...opts, log });
  log.info("Reward model on WebGPU", { device: backend.deviceName });
  return backend;
}

/**
 * Decides where the reward model runs for `mode`, with the same warnings as `openBackend`.
 *
 * @param mode `webgpu`, `cpu` or `auto`.
 * @param log Where the fallback warning goes.
 * @returns `webgpu` when a (suitable) adapter exists, else `cpu`.
 * @throws {RangeError} For an unknown mode.
 * @throws {Error} Saying how to get an adapter when `mode` is `webgpu` and there is none.
 * @example
 * ```ts
 * import { resolveBackendKind } from "./open_backend.ts";
 * const log = { debug() {}, info() {}, warn() {}, error() {} };
 * if (await resolveBackendKind("cpu", log) !== "cpu") throw new Error();
 * ```
 */
export async function resolveBackendKind(
  mode: "webgpu" | "cpu" | "auto",
  log: Logger,
): Promise<"webgpu" | "cpu"> {
  if (mode === "cpu") return "cpu";
  if (mode !== "webgpu" && mode !== "auto") {
    throw new RangeError(
      `Cannot open a backend as 'backend' must be webgpu, cpu or auto: current value is ${mode}`,
    );
  }
  const adapter = await requestAdapter();
  if (!adapter && mode === "webgpu") {
    throw new Error(
      `Cannot use backend 'webgpu' as no WebGPU adapter was found: ${ADAPTER_HELP}; or set backend: cpu`,
    );
  }
  if (!adapter) {
    log.warn(
      `No WebGPU adapter found, so the reward model runs on the CPU (slower): ${ADAPTER_HELP}`,
      { backend: "cpu" },
    );
    return "cpu";
  }
  if (mode === "auto" && isSoftwareAdapter(adapter)) {
    log.warn(
      `Only a software WebGPU adapter was found ('${adapter.info.description}'), which is slower ` +
        "than the CPU, so the reward model runs on the CPU: install a GPU driver for a " +
        "hardware adapter, or set backend: webgpu to use the software one anyway",
      { backend: "cpu" },
    );
    return "cpu";
  }
  return "webgpu";
}

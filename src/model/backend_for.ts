/**
 * The backend a stage runs the reward model on: `openBackend` (`open_backend.ts`) under the
 * name the first stages were written against. New code may call `openBackend` directly.
 *
 * @module
 */
import type { Logger } from "../pipeline/types.ts";
import { openBackend } from "./open_backend.ts";
import type { ModelConfig, RewardBackend } from "./types.ts";

/**
 * Opens the backend for `mode`: the CPU fast path for `cpu`, WebGPU for `webgpu`, and for
 * `auto` WebGPU when an adapter exists, else the CPU with a warning.
 *
 * @param mode `webgpu`, `cpu` or `auto`.
 * @param cfg The model shape.
 * @param log Where the backend choice (and any fallback warning) is logged.
 * @returns A backend; call `destroy()` when done.
 * @example
 * ```ts
 * import { backendFor } from "./backend_for.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const noop = () => {};
 * const log = { debug: noop, info: noop, warn: noop, error: noop };
 * const b = await backendFor("cpu", { ...DEFAULT_MODEL, buckets: 8 }, log);
 * if (b.kind !== "cpu") throw new Error();
 * b.destroy();
 * ```
 */
export function backendFor(
  mode: "webgpu" | "cpu" | "auto",
  cfg: ModelConfig,
  log: Logger,
): Promise<RewardBackend> {
  return openBackend(mode, cfg, log);
}

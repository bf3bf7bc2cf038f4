/**
 * The seed-only baseline is the SER loop's iteration 0: both train a fresh model (same seed,
 * same initial weights, same shuffles) on the human seed labels alone and evaluate it the same
 * way. `compare` therefore takes a seed-only run's metrics from the SER run of the same seed and
 * settings instead of training again, when `seedOnlyIsIterationZero` says the settings leave
 * nothing else to differ.
 *
 * @module
 */
import type { RunMetrics } from "../report/metrics.ts";
import type { SerConfig } from "./config.ts";

/**
 * Why a seed-only run of `cfg` could differ from iteration 0 of the SER run with the same
 * settings, or null when it cannot: `train.auto` (a search before the loop), the headroom check
 * (its result joins the metrics), `select.cotrain` (a second view trained at iteration 0 in
 * `ser` mode only) and `on_selected` / `on_iteration` stages (they run in `ser` mode only).
 *
 * @param cfg The `ser` stage's validated config (its `mode` is ignored).
 * @returns The reason, or null when the seed-only metrics are the SER run's iteration 0.
 * @example
 * ```ts
 * import { seedOnlyIsIterationZero } from "./seed_only.ts";
 * import type { SerConfig } from "./config.ts";
 * const cfg = {
 *   train: { auto: false },
 *   select: { cotrain: false },
 *   headroom: { enabled: false },
 *   on_selected: [],
 *   on_iteration: [],
 * } as unknown as SerConfig;
 * if (seedOnlyIsIterationZero(cfg) !== null) throw new Error();
 * const auto = { ...cfg, train: { auto: true } } as unknown as SerConfig;
 * if (seedOnlyIsIterationZero(auto) !== "train.auto") throw new Error();
 * ```
 */
export function seedOnlyIsIterationZero(cfg: SerConfig): string | null {
  if (cfg.train.auto) return "train.auto";
  if (cfg.headroom.enabled) return "headroom.enabled";
  if (cfg.select.cotrain) return "select.cotrain";
  if ((cfg.on_selected ?? []).length > 0) return "on_selected";
  if ((cfg.on_iteration ?? []).length > 0) return "on_iteration";
  return null;
}

/**
 * The metrics a seed-only run writes, from the SER run with the same settings (see
 * `seedOnlyIsIterationZero`): its iteration 0, kept, with the seed-only stop reason.
 *
 * @param ser The SER run's metrics (without `baselines`, which `compare` adds afterwards).
 * @returns The seed-only run's metrics.
 * @throws {RangeError} When `ser` is not a SER run's metrics or has no iteration 0.
 * @example
 * ```ts
 * import { seedOnlyFromSer } from "./seed_only.ts";
 * import type { IterationRecord, RunMetrics } from "../report/metrics.ts";
 * const it = (iteration: number, testAccuracy: number) =>
 *   ({ iteration, testAccuracy, validationAccuracy: 0.6, poolSize: 10, poolByRule: { human: 10 } }) as
 *     unknown as IterationRecord;
 * const ser: RunMetrics = {
 *   stopReason: "patience", mode: "ser", humanLabels: 10, iterations: [it(0, 0.6), it(1, 0.7)],
 *   final: { iteration: 1, iterations: 1, testAccuracy: 0.7, validationAccuracy: 0.6, selfLabels: 0 },
 * };
 * const m = seedOnlyFromSer(ser);
 * if (m.mode !== "seed-only" || m.iterations.length !== 1 || m.final?.testAccuracy !== 0.6) {
 *   throw new Error();
 * }
 * ```
 */
export function seedOnlyFromSer(ser: RunMetrics): RunMetrics {
  const first = ser.iterations[0];
  if (ser.mode !== "ser" || first?.iteration !== 0) {
    throw new RangeError(
      `Cannot take seed-only metrics from a run in mode '${ser.mode}' with ` +
        `${ser.iterations.length} iterations: it needs a SER run's metrics with iteration 0`,
    );
  }
  return {
    stopReason: "seed-only",
    mode: "seed-only",
    humanLabels: ser.humanLabels,
    iterations: [structuredClone(first)],
    final: {
      iteration: 0,
      iterations: 0,
      testAccuracy: first.testAccuracy,
      validationAccuracy: first.validationAccuracy,
      selfLabels: first.poolSize - (first.poolByRule.human ?? 0),
    },
  };
}

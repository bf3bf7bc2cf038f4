/**
 * Validation of `PairFeatures` against a model shape, shared by backends: catches ids from a
 * featurizer with other buckets, broken offsets and embeddings of the wrong width up front.
 *
 * @module
 */
import type { ModelConfig, PairFeatures } from "./types.ts";

/**
 * Checks that `f` can be fed to a model of shape `cfg`.
 *
 * @param f The features.
 * @param cfg The model shape.
 * @throws {RangeError} Saying which column and position is wrong and what to do.
 * @example
 * ```ts
 * import { checkFeatures } from "./check_features.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const o = new Uint32Array([0, 1]), ids = new Uint32Array([99]);
 * const f = { n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids };
 * let msg = "";
 * try { checkFeatures(f, { ...DEFAULT_MODEL, buckets: 10 }); } catch (e) { msg = String(e); }
 * if (!msg.includes("not below model.buckets (10)")) throw new Error(msg);
 * ```
 */
export function checkFeatures(f: PairFeatures, cfg: ModelConfig): void {
  if (!Number.isInteger(f.n) || f.n < 0) {
    throw new RangeError(
      `Cannot load features as 'n' must be a non-negative integer: current value is ${f.n}`,
    );
  }
  if (cfg.input === "embedding") {
    for (const name of ["promptEmb", "aEmb", "bEmb"] as const) {
      const len = f[name]?.length;
      if (len !== f.n * cfg.dim) {
        throw new RangeError(
          `Cannot load features as '${name}' has ${
            len ?? "no"
          } values but ${f.n} pairs of model.dim ` +
            `${cfg.dim} need ${f.n * cfg.dim}: check the embedding columns' width`,
        );
      }
    }
    return;
  }
  const cols = [["prompt", f.promptOffsets, f.promptIds], ["a", f.aOffsets, f.aIds], [
    "b",
    f.bOffsets,
    f.bIds,
  ]] as const;
  for (const [name, offsets, ids] of cols) {
    if (offsets.length !== f.n + 1 || offsets[0] !== 0 || offsets[f.n] !== ids.length) {
      throw new RangeError(
        `Cannot load features as the ${name} offsets do not describe ${f.n} bags over ` +
          `${ids.length} ids: expected ${f.n + 1} offsets from 0 to ${ids.length}`,
      );
    }
    for (let i = 0; i < f.n; i++) {
      if (offsets[i + 1] < offsets[i]) {
        throw new RangeError(`Cannot load features as the ${name} offsets decrease at pair ${i}`);
      }
    }
    for (let t = 0; t < ids.length; t++) {
      if (ids[t] >= cfg.buckets) {
        throw new RangeError(
          `Cannot load features as ${name} id ${
            ids[t]
          } at position ${t} is not below model.buckets ` +
            `(${cfg.buckets}): featurize with the same buckets as the model`,
        );
      }
    }
  }
}

/**
 * The methods `compare --methods` accepts: a mode of the `ser` stage (`seed-only`, `ser`,
 * `all-labels`), optionally followed by `:` and presets joined by `+` (`ser:committee`,
 * `ser:soft+precision`, `all-labels:auto`). A preset is a named set of `ser` stage overrides.
 *
 * @module
 */
import { UsageError } from "./args.ts";

/** The modes a method starts from. */
export const METHOD_MODES = ["seed-only", "ser", "all-labels"] as const;

/** Named `ser` stage overrides (paths under the stage's `with`). */
export const METHOD_PRESETS: Record<string, { sets: string[]; summary: string }> = {
  paper: {
    sets: [
      "select.policy=either",
      "select.committee=1",
      "select.cotrain=false",
      "train.targets=hard",
      "train.self_noise=0",
    ],
    summary:
      "the paper's rule: fixed thresholds 0.55 / 0.45 / 0.3, one model, hard labels, clean inputs",
  },
  auto: { sets: ["train.auto=true"], summary: "train.auto: search lr, width, weight decay" },
  noauto: { sets: ["train.auto=false"], summary: "the pipeline's training settings as written" },
  committee: {
    sets: ["select.committee=5"],
    summary: "a committee of 5 models on bootstrap resamples",
  },
  soft: { sets: ["train.targets=soft"], summary: "self-labels trained on calibrated probability" },
  headroom: {
    sets: ["headroom.enabled=true"],
    summary: "also run the headroom check (learning curve) and print its prediction",
  },
  noisy: {
    sets: ["train.self_noise=0.3"],
    summary: "noisy student: self-labelled pairs train with 30% token dropout (the default)",
  },
  clean: {
    sets: ["train.self_noise=0"],
    summary: "no noisy student: self-labelled pairs train on clean inputs",
  },
  cotrain: {
    sets: ["select.cotrain=true"],
    summary: "two-view co-training: word and character n-gram models label for each other",
  },
  incremental: {
    sets: ["train.retrain=incremental"],
    summary: "incremental retraining: continue on new self-labels plus a seed replay",
  },
  precision: {
    sets: ["select.policy=precision"],
    summary: "threshold where validation precision reaches select.precision",
  },
};

/** A parsed method. */
export interface MethodSpec {
  name: string;
  mode: (typeof METHOD_MODES)[number];
  /** Overrides under the `ser` stage's `with`. */
  sets: string[];
}

/**
 * Parses a comma-separated `--methods` value.
 *
 * @param list E.g. `seed-only,ser,ser:committee,all-labels`.
 * @returns The methods in order.
 * @throws {UsageError} For an unknown mode or preset, or a repeated method.
 * @example
 * ```ts
 * import { parseMethods } from "./compare_methods.ts";
 * const [m] = parseMethods("ser:committee");
 * if (m.mode !== "ser" || m.sets[0] !== "select.committee=5") throw new Error();
 * ```
 */
export function parseMethods(list: string): MethodSpec[] {
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError("--methods must name at least one method");
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw new UsageError(`--methods names '${name}' twice`);
    seen.add(name);
    const [mode, presets] = name.split(":", 2);
    if (!(METHOD_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(
        `--methods: unknown mode '${mode}' in '${name}': use one of ${METHOD_MODES.join(", ")}`,
      );
    }
    const sets: string[] = [];
    for (const p of presets === undefined ? [] : presets.split("+")) {
      const preset = METHOD_PRESETS[p];
      if (!preset) {
        throw new UsageError(
          `--methods: unknown preset '${p}' in '${name}': use one of ${
            Object.keys(METHOD_PRESETS).join(", ")
          }`,
        );
      }
      sets.push(...preset.sets);
    }
    return { name, mode: mode as MethodSpec["mode"], sets };
  });
}

/**
 * `--set path=value` overrides, typed by the stage spec (like DVC's `exp run --set-param`):
 * `--set stages.evolve.with.train.lr=0.02`, `--set backend=cpu`, `--set seed=3`.
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import type { FieldSpec, StageModule } from "../contracts/types.ts";
import type { Problem } from "./errors.ts";
import { describeType, fieldAt } from "./fields.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** Top-level keys of a pipeline file, with their specs. */
export const TOP_LEVEL: Record<string, FieldSpec> = {
  name: {
    type: "string",
    required: true,
    description: "The pipeline's name (names its run directory).",
  },
  description: { type: "string", description: "What the pipeline does." },
  seed: { type: "integer", default: 0, description: "Seed of every random choice in the run." },
  backend: {
    type: "enum",
    values: ["auto", "webgpu", "cpu"],
    default: "auto",
    description: "Where the reward model runs: webgpu, cpu, or auto (webgpu if an adapter exists).",
  },
  run_dir: { type: "path", description: "Run directory (default runs/<name>)." },
  stages: { type: "array", required: true, description: "The stages, in order." },
};

/** A parsed override, applied to the raw pipeline before validation. */
export interface Override {
  arg: string;
  /** Path into the raw document, e.g. `["stages", 2, "with", "train", "lr"]`. */
  path: (string | number)[];
  value: unknown;
}

/** Converts a command-line string to the field's type; returns an error message on failure. */
export function coerce(text: string, spec: FieldSpec): { value: unknown } | { error: string } {
  const fail = { error: `must be ${describeType(spec)}: current value is ${JSON.stringify(text)}` };
  switch (spec.type) {
    case "integer": {
      const n = Number(text);
      return text.trim() !== "" && Number.isInteger(n) ? { value: n } : fail;
    }
    case "number": {
      const n = Number(text);
      return text.trim() !== "" && Number.isFinite(n) ? { value: n } : fail;
    }
    case "boolean":
      return text === "true" ? { value: true } : text === "false" ? { value: false } : fail;
    case "string":
    case "path":
    case "enum":
      return { value: text };
    default:
      try {
        return { value: parseYaml(text) };
      } catch {
        return { error: `is not valid YAML: ${JSON.stringify(text)}` };
      }
  }
}

/**
 * Parses `--set` arguments against the pipeline's stages.
 *
 * @param sets The raw `path=value` strings.
 * @param stages The stage ids (in file order) and their resolved modules (undefined when unresolved).
 * @returns The overrides and the problems found.
 */
export function parseOverrides(
  sets: readonly string[],
  stages: { id: string; module?: StageModule }[],
): { overrides: Override[]; problems: Problem[] } {
  const overrides: Override[] = [];
  const problems: Problem[] = [];
  for (const arg of sets) {
    const origin = `--set ${arg}`;
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      problems.push({
        origin,
        message: "expected path=value, e.g. stages.evolve.with.train.lr=0.02",
      });
      continue;
    }
    const keys = arg.slice(0, eq).split(".");
    const text = arg.slice(eq + 1);
    if (keys[0] !== "stages") {
      const spec = TOP_LEVEL[keys[0]];
      if (!spec || keys.length > 1 || keys[0] === "stages") {
        problems.push({
          origin,
          message: `unknown key '${keys.join(".")}'${didYouMean(keys[0], Object.keys(TOP_LEVEL))}`,
        });
        continue;
      }
      const r = coerce(text, spec);
      if ("error" in r) problems.push({ origin, message: `'${keys[0]}' ${r.error}` });
      else overrides.push({ arg, path: [keys[0]], value: r.value });
      continue;
    }
    const index = stages.findIndex((s) => s.id === keys[1]);
    if (index < 0) {
      const hint = didYouMean(keys[1] ?? "", stages.map((s) => s.id));
      problems.push({ origin, message: `no stage with id '${keys[1] ?? ""}'${hint}` });
      continue;
    }
    if (keys[2] !== "with" || keys.length < 4) {
      problems.push({ origin, message: `expected stages.${keys[1]}.with.<field>=value` });
      continue;
    }
    const module = stages[index].module;
    if (!module) continue; // the unresolved `use` is already reported
    const spec = fieldAt(module.spec.fields, keys.slice(3));
    if (typeof spec === "string") {
      problems.push({ origin, stageId: keys[1], message: spec });
      continue;
    }
    const r = coerce(text, spec);
    if ("error" in r) {
      problems.push({
        origin,
        stageId: keys[1],
        message: `field '${keys.slice(3).join(".")}' ${r.error}`,
      });
    } else {overrides.push({
        arg,
        path: ["stages", index, "with", ...keys.slice(3)],
        value: r.value,
      });}
  }
  return { overrides, problems };
}

/** Applies overrides to a raw pipeline object in place (creating intermediate mappings). */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly Override[]): void {
  for (const o of overrides) {
    // deno-lint-ignore no-explicit-any
    let cur: any = raw;
    for (let i = 0; i < o.path.length - 1; i++) {
      const k = o.path[i];
      if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== "object") cur[k] = {};
      cur = cur[k];
    }
    cur[o.path[o.path.length - 1]] = o.value;
  }
}

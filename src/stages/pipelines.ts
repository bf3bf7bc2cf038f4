/**
 * Loading pipelines with the built-in stages (and, optionally, stages of your own by name).
 *
 * @module
 */
import { checkPipeline, readPipeline } from "../pipeline/load.ts";
import type {
  LoadedPipeline,
  LoadOptions,
  PipelineDefinition,
  StageTable,
} from "../pipeline/loaded.ts";
import { BUILTIN_STAGES } from "./registry.ts";

/**
 * Reads and validates a pipeline file whose `use:` names the built-in stages or module paths.
 *
 * @param path The YAML or JSON file.
 * @param opts `sets` overrides; `stages` adds named stages to the built-in ones.
 * @returns The validated pipeline.
 * @throws {PipelineConfigError} With every problem found, each with file:line:column.
 * @example
 * ```ts
 * import { loadPipeline } from "./pipelines.ts";
 * const p = await loadPipeline("pipelines/examples/custom_stage.yaml");
 * if (p.stages.length === 0) throw new Error();
 * ```
 */
export function loadPipeline(
  path: string,
  opts: LoadOptions & { stages?: StageTable } = {},
): Promise<LoadedPipeline> {
  return readPipeline(path, { ...BUILTIN_STAGES, ...opts.stages }, opts);
}

/**
 * Validates a pipeline defined in code; `use` is a built-in stage name, a module path or a stage
 * module.
 *
 * @param def The pipeline definition.
 * @param opts `dir` for relative paths (default: the working directory), `sets` overrides,
 *   `stages` adds named stages to the built-in ones.
 * @returns The validated pipeline.
 * @example
 * ```ts
 * import { definePipeline } from "./pipelines.ts";
 * const p = await definePipeline({ name: "demo", stages: [{ id: "data", use: "synthetic", with: { pairs: 100 } }] });
 * if (p.stages[0].id !== "data") throw new Error();
 * ```
 */
export function definePipeline(
  def: PipelineDefinition | unknown,
  opts: { dir?: string; sets?: readonly string[]; stages?: StageTable } = {},
): Promise<LoadedPipeline> {
  return checkPipeline(def, { ...BUILTIN_STAGES, ...opts.stages }, opts);
}

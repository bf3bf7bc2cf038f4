/**
 * Loads a pipeline file (YAML or JSON) or a pipeline defined in code and validates it against a
 * stage table before anything runs, reporting every problem at once with file:line:column. The
 * table is passed in: the pipeline layer knows no stage (the public `loadPipeline` and
 * `definePipeline` in `src/stages/pipelines.ts` pass the built-in ones).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { PipelineConfigError } from "./errors.ts";
import { PipelineDocument } from "./document.ts";
import { buildPipeline } from "./build.ts";
import type { LoadedPipeline, LoadOptions, PipelineDefinition, StageTable } from "./loaded.ts";

/**
 * Reads and validates a pipeline file.
 *
 * @param path The YAML or JSON file.
 * @param stages The stages `use:` names resolve in.
 * @param opts Overrides.
 * @returns The validated pipeline.
 * @throws {PipelineConfigError} With every problem found, each with file:line:column.
 */
export async function readPipeline(
  path: string,
  stages: StageTable,
  opts: LoadOptions = {},
): Promise<LoadedPipeline> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new PipelineConfigError([{ origin: path, message: `cannot read pipeline file: ${why}` }]);
  }
  const doc = PipelineDocument.parse(path, text);
  if (doc.problems.length) throw new PipelineConfigError(doc.problems);
  return await buildPipeline(doc.value, {
    file: path,
    dir: dirname(resolve(path)),
    doc,
    sets: opts.sets,
    stages,
  });
}

/**
 * Validates a pipeline defined in code.
 *
 * @param def The pipeline definition.
 * @param stages The stages `use:` names resolve in.
 * @param opts `dir` for relative paths (default: the working directory), `sets` overrides.
 * @returns The validated pipeline.
 * @example
 * ```ts
 * import { EMPTY } from "rxjs";
 * import { checkPipeline } from "./load.ts";
 * const source = {
 *   spec: { name: "none", summary: "Emits nothing.", kind: "source" as const, fields: {}, examples: [] },
 *   operator: () => () => EMPTY,
 * };
 * const p = await checkPipeline({ name: "demo", stages: [{ id: "data", use: "none" }] }, { none: source });
 * if (p.stages[0].module !== source) throw new Error();
 * ```
 */
export async function checkPipeline(
  def: PipelineDefinition | unknown,
  stages: StageTable,
  opts: { dir?: string; sets?: readonly string[] } = {},
): Promise<LoadedPipeline> {
  return await buildPipeline(def, { dir: opts.dir ?? Deno.cwd(), sets: opts.sets, stages });
}

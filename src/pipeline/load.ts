/**
 * Loads a pipeline file (YAML or JSON), applies `--set` overrides, resolves every stage (built-in
 * or a user's module) and validates the whole pipeline before anything runs, reporting every
 * problem at once with file:line:column.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { StageModule } from "./types.ts";
import { PipelineConfigError, type Problem } from "./errors.ts";
import { PipelineDocument } from "./document.ts";
import { checkFields, type DocPath } from "./fields.ts";
import { applyOverrides, parseOverrides, TOP_LEVEL } from "./overrides.ts";
import { checkGraph } from "./graph.ts";
import { BUILTIN_STAGES } from "../stages/registry.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** One stage of a loaded pipeline: its module, validated config and inputs. */
export interface StageNode {
  id: string;
  /** The `use:` value as written (a built-in name or a module path). */
  use: string;
  module: StageModule;
  /** The validated config with defaults filled in. */
  config: Record<string, unknown>;
  /** The ids of the stages it reads from. */
  inputs: string[];
}

/** A validated pipeline, ready to run. */
export interface LoadedPipeline {
  name: string;
  description?: string;
  seed: number;
  backend: "auto" | "webgpu" | "cpu";
  runDir?: string;
  /** The pipeline file, if it came from one. */
  file?: string;
  /** Where relative paths resolve (the pipeline file's folder). */
  dir: string;
  stages: StageNode[];
  /** The resolved pipeline as plain JSON (for the pool's `runs` table and reports). */
  resolved: Record<string, unknown>;
}

/** A pipeline defined in code: like the file format, but `use` may also be a stage module. */
export interface PipelineDefinition {
  name: string;
  description?: string;
  seed?: number;
  backend?: "auto" | "webgpu" | "cpu";
  run_dir?: string;
  stages: {
    id: string;
    use: string | StageModule;
    with?: Record<string, unknown>;
    inputs?: string[];
  }[];
}

/** Options for loading. */
export interface LoadOptions {
  /** `path=value` overrides (`--set`). */
  sets?: readonly string[];
}

/**
 * Reads and validates a pipeline file.
 *
 * @param path The YAML or JSON file.
 * @param opts Overrides.
 * @returns The validated pipeline.
 * @throws {PipelineConfigError} With every problem found, each with file:line:column.
 */
export async function loadPipeline(path: string, opts: LoadOptions = {}): Promise<LoadedPipeline> {
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
  });
}

/**
 * Validates a pipeline defined in code (or parsed from a file).
 *
 * @param def The pipeline definition.
 * @param opts `dir` for relative paths (default: the working directory), `sets` overrides.
 * @returns The validated pipeline.
 * @example
 * ```ts
 * import { definePipeline } from "./load.ts";
 * const p = await definePipeline({ name: "demo", stages: [{ id: "data", use: "synthetic", with: { pairs: 100 } }] });
 * if (p.stages[0].id !== "data") throw new Error();
 * ```
 */
export async function definePipeline(
  def: PipelineDefinition | unknown,
  opts: { dir?: string; sets?: readonly string[] } = {},
): Promise<LoadedPipeline> {
  return await buildPipeline(def, { dir: opts.dir ?? Deno.cwd(), sets: opts.sets });
}

async function buildPipeline(
  raw: unknown,
  o: { file?: string; dir: string; doc?: PipelineDocument; sets?: readonly string[] },
): Promise<LoadedPipeline> {
  const problems: Problem[] = [];
  const setPaths = new Map<string, string>();
  const report = (message: string, path: DocPath, key = false, stageId?: string) => {
    const joined = path.join(".");
    for (const [p, arg] of setPaths) {
      if (joined === p || joined.startsWith(p + ".")) {
        problems.push({ message, origin: `--set ${arg}`, stageId });
        return;
      }
    }
    problems.push({ message, stageId, position: o.doc?.locate(path, key) });
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    report("a pipeline must be a mapping with 'name' and 'stages'", []);
    throw new PipelineConfigError(problems);
  }
  const obj = structuredCloneSafe(raw as Record<string, unknown>);
  const rawStages = Array.isArray(obj.stages) ? obj.stages : [];

  // Resolve every stage's module first: overrides are typed by the stage specs.
  const modules: (StageModule | undefined)[] = [];
  for (let i = 0; i < rawStages.length; i++) {
    modules.push(await resolveUse(rawStages[i], i, o.dir, report));
  }
  const ids = rawStages.map((s, i) => ({
    id: typeof s?.id === "string" ? s.id : `#${i}`,
    module: modules[i],
  }));
  const { overrides, problems: setProblems } = parseOverrides(o.sets ?? [], ids);
  problems.push(...setProblems);
  applyOverrides(obj, overrides);
  for (const ov of overrides) setPaths.set(ov.path.join("."), ov.arg);

  const top = checkFields(
    obj,
    TOP_LEVEL,
    [],
    (m, p, k) => report(m.replace("field", "key"), p, k),
    "",
  );
  const stages: StageNode[] = [];
  const seen = new Map<string, number>();
  if (!Array.isArray(obj.stages)) report("'stages' must be a list of stages", ["stages"]);
  else if (obj.stages.length === 0) report("'stages' is empty: add at least one stage", ["stages"]);
  rawStages.forEach((s, i) => {
    const at: DocPath = ["stages", i];
    if (typeof s !== "object" || s === null || Array.isArray(s)) {
      return report("a stage must be a mapping with 'id' and 'use'", at);
    }
    for (const k of Object.keys(s)) {
      if (!["id", "use", "with", "inputs"].includes(k)) {
        report(
          `unknown key '${k}'${
            didYouMean(k, ["id", "use", "with", "inputs"]) || "; a stage has id, use, with, inputs"
          }`,
          [...at, k],
          true,
          s.id,
        );
      }
    }
    const id = s.id;
    if (typeof id !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) {
      report(
        `stage id must be a name of letters, digits, '_' or '-': current value is ${
          JSON.stringify(id)
        }`,
        [...at, "id"],
      );
      return;
    }
    if (seen.has(id)) {
      return report(
        `duplicate stage id '${id}' (first used by stage #${seen.get(id)! + 1})`,
        [...at, "id"],
        false,
        id,
      );
    }
    seen.set(id, i);
    const module = modules[i];
    if (!module) return;
    const config = checkFields(
      s.with,
      module.spec.fields,
      [...at, "with"],
      (m, p, k) => report(m, p, k, id),
    );
    let inputs: string[];
    const isSource = module.spec.kind === "source" || (module.spec.inputs?.max ?? 1) === 0;
    if (s.inputs === undefined) {
      const prev = i > 0 ? rawStages[i - 1]?.id : undefined;
      inputs = isSource || typeof prev !== "string" ? [] : [prev];
    } else if (!Array.isArray(s.inputs) || s.inputs.some((x: unknown) => typeof x !== "string")) {
      report("'inputs' must be a list of stage ids", [...at, "inputs"], false, id);
      inputs = [];
    } else inputs = s.inputs;
    stages.push({
      id,
      use: typeof s.use === "string" ? s.use : module.spec.name,
      module,
      config,
      inputs,
    });
  });
  checkGraph(stages, rawStages, (m, p, k, id) => report(m, p, k, id));
  checkPermissions(stages, rawStages, report);
  if (problems.length) throw new PipelineConfigError(sortProblems(problems));
  const resolved = {
    name: top.name,
    seed: top.seed,
    backend: top.backend,
    ...(top.run_dir ? { run_dir: top.run_dir } : {}),
    stages: stages.map((s) => ({ id: s.id, use: s.use, with: s.config, inputs: s.inputs })),
  };
  return {
    name: top.name as string,
    description: top.description as string | undefined,
    seed: top.seed as number,
    backend: top.backend as LoadedPipeline["backend"],
    runDir: top.run_dir as string | undefined,
    file: o.file,
    dir: o.dir,
    stages,
    resolved: JSON.parse(JSON.stringify(resolved)),
  };
}

function sortProblems(problems: Problem[]): Problem[] {
  const key = (p: Problem) => p.position ? p.position.line * 1e6 + p.position.column : -1;
  return problems.map((p, i) => ({ p, i })).sort((a, b) => key(a.p) - key(b.p) || a.i - b.i).map((
    x,
  ) => x.p);
}

// deno-lint-ignore no-explicit-any
function structuredCloneSafe(o: Record<string, any>): Record<string, any> {
  // Stage modules given in code are kept by reference; everything else is copied.
  const stages = Array.isArray(o.stages)
    ? o.stages.map((s: unknown) =>
      typeof s === "object" && s !== null && !Array.isArray(s)
        // deno-lint-ignore no-explicit-any
        ? { ...structuredClone({ ...(s as any), use: undefined }), use: (s as any).use }
        : s
    )
    : o.stages;
  return { ...structuredClone({ ...o, stages: undefined }), stages };
}

async function resolveUse(
  // deno-lint-ignore no-explicit-any
  s: any,
  i: number,
  dir: string,
  report: (m: string, p: DocPath, k?: boolean, id?: string) => void,
): Promise<StageModule | undefined> {
  if (typeof s !== "object" || s === null) return undefined;
  const use = s.use;
  const at: DocPath = ["stages", i, "use"];
  const id = typeof s.id === "string" ? s.id : undefined;
  if (typeof use === "object" && use !== null) {
    const why = invalidModule(use);
    if (why) report(`'use' is not a stage module: ${why}`, at, false, id);
    return why ? undefined : use as StageModule;
  }
  if (typeof use !== "string" || use === "") {
    report(
      "missing 'use': a built-in stage name or a path to a stage module (.ts)",
      ["stages", i],
      false,
      id,
    );
    return undefined;
  }
  const isPath = use.startsWith(".") || use.startsWith("/") || /\.(m?[jt]s)$/.test(use);
  if (!isPath) {
    const m = BUILTIN_STAGES[use];
    if (!m) {
      const hint = didYouMean(use, Object.keys(BUILTIN_STAGES)) ||
        `; built-in stages: ${Object.keys(BUILTIN_STAGES).sort().join(", ")}`;
      report(`unknown stage '${use}'${hint}`, at, false, id);
    }
    return m;
  }
  const file = isAbsolute(use) ? use : resolve(dir, use);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    report(`cannot load stage module '${use}': ${msg}`, at, false, id);
    return undefined;
  }
  const why = invalidModule(mod);
  if (why) {
    report(`module '${use}' does not export a valid stage: ${why}`, at, false, id);
    return undefined;
  }
  return mod as unknown as StageModule;
}

function invalidModule(m: Record<string, unknown>): string {
  const spec = m.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== "object") return "expected `export const spec: StageSpec`";
  if (typeof m.operator !== "function") return "expected `export function operator(config, ctx)`";
  if (typeof spec.name !== "string" || typeof spec.summary !== "string") {
    return "its spec needs 'name' and 'summary' strings";
  }
  if (typeof spec.fields !== "object" || spec.fields === null) {
    return "its spec needs 'fields' (may be {})";
  }
  return "";
}

function checkPermissions(
  stages: StageNode[],
  // deno-lint-ignore no-explicit-any
  raw: any[],
  report: (m: string, p: DocPath, k?: boolean, id?: string) => void,
): void {
  stages.forEach((s) => {
    const i = raw.findIndex((r) => r?.id === s.id);
    for (const name of ["net", "run"] as const) {
      if (!s.module.spec.permissions?.[name]) continue;
      if (Deno.permissions.querySync({ name }).state === "granted") continue;
      report(
        `needs ${
          name === "net" ? "network access" : "to run subprocesses"
        }: add --allow-${name} (e.g. deno run --allow-${name} ... src/cli/main.ts run PIPELINE)`,
        ["stages", i, "use"],
        false,
        s.id,
      );
    }
  });
}

/**
 * Validates a pipeline: resolves each stage's module, applies `--set` overrides (typed by the
 * stage specs), checks the top-level keys, every stage's `with:` against its spec, the graph and
 * the permissions, and reports every problem at once with its position.
 *
 * @module
 */
import type { StageModule } from "../contracts/types.ts";
import { PipelineConfigError, type Problem } from "./errors.ts";
import type { PipelineDocument } from "./document.ts";
import { checkFields, type DocPath } from "./fields.ts";
import { applyOverrides, parseOverrides, TOP_LEVEL } from "./overrides.ts";
import { checkGraph } from "./graph.ts";
import type { LoadedPipeline, StageNode, StageTable } from "./loaded.ts";
import { checkPermissions } from "./permissions.ts";
import { resolveUse } from "./resolve_use.ts";
import { resolveStageRefs } from "./stage_refs.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/**
 * Validates a parsed pipeline against the specs of its stages, reporting every problem at once.
 *
 * @param raw The pipeline (parsed from a file, or defined in code).
 * @param o Where it came from (`file`, `dir`, the parsed `doc` for positions), `--set` overrides
 *   and the stage table that `use:` names resolve in.
 * @returns The validated pipeline.
 * @throws {PipelineConfigError} With every problem found.
 */
export async function buildPipeline(
  raw: unknown,
  o: {
    file?: string;
    dir: string;
    doc?: PipelineDocument;
    sets?: readonly string[];
    stages: StageTable;
  },
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
    modules.push(await resolveUse(rawStages[i], ["stages", i], o.dir, o.stages, report));
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
    const before = problems.length;
    const config = checkFields(
      s.with,
      module.spec.fields,
      [...at, "with"],
      (m, p, k) => report(m, p, k, id),
    );
    if (problems.length === before) {
      for (const c of module.spec.check?.(config) ?? []) {
        report(c.message, [...at, "with", ...c.path], false, id);
      }
    }
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
  for (const st of stages) {
    await resolveStageRefs(st.config, st.module.spec.fields, ["stages", seen.get(st.id)!, "with"], {
      dir: o.dir,
      table: o.stages,
      stageId: st.id,
      report,
    });
  }
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

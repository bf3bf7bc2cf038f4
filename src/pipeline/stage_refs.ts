/**
 * Stages inside stages: resolves the `stages` fields of a validated config (such as the `ser`
 * stage's `on_selected`) into `StageRef`s, each resolved and validated like a top-level stage,
 * with positions.
 *
 * @module
 */
import type { FieldSpec, StageModule, StageRef } from "../contracts/types.ts";
import { checkFields, type DocPath } from "./fields.ts";
import type { StageTable } from "./loaded.ts";
import { resolveUse } from "./resolve_use.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/** Reports a problem at a document path, for a stage id. */
export type RefReport = (message: string, path: DocPath, key?: boolean, stageId?: string) => void;

const REF_KEYS = ["id", "use", "with"];

/**
 * Replaces, in `config` (a stage's validated `with:`), the raw value of every `stages` field
 * (at any depth of nested mappings) with resolved `StageRef`s.
 *
 * @param config The validated config (changed in place).
 * @param fields The stage's field specs.
 * @param at Where the `with:` block sits in the document.
 * @param o The folder paths resolve against, the stage table, the owning stage id, `report`.
 * @returns When every reference is resolved (problems go to `report`).
 */
export async function resolveStageRefs(
  config: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
  at: DocPath,
  o: { dir: string; table: StageTable; stageId: string; report: RefReport },
): Promise<void> {
  for (const [key, spec] of Object.entries(fields)) {
    const v = config[key];
    if (spec.type === "object" && spec.fields && typeof v === "object" && v !== null) {
      await resolveStageRefs(v as Record<string, unknown>, spec.fields, [...at, key], o);
    } else if (spec.type === "stages" && Array.isArray(v)) {
      config[key] = await _refs(v, spec, [...at, key], o);
    }
  }
}

async function _refs(
  raw: unknown[],
  spec: FieldSpec,
  at: DocPath,
  o: { dir: string; table: StageTable; stageId: string; report: RefReport },
): Promise<StageRef[]> {
  const out: StageRef[] = [];
  const ids = new Set<string>();
  const kinds = spec.kinds ?? ["transform"];
  for (let j = 0; j < raw.length; j++) {
    // deno-lint-ignore no-explicit-any
    const r = raw[j] as any;
    if (typeof r !== "object" || r === null || Array.isArray(r)) continue; // reported by checkValue
    const entry = [...at, j];
    const report = (m: string, p: DocPath, k?: boolean) => o.report(m, p, k, o.stageId);
    for (const k of Object.keys(r)) {
      if (!REF_KEYS.includes(k)) {
        report(
          `unknown key '${k}'${didYouMean(k, REF_KEYS) || "; a stage here has id, use, with"}`,
          [
            ...entry,
            k,
          ],
          true,
        );
      }
    }
    const module = await resolveUse(r, entry, o.dir, o.table, report);
    if (!module) continue;
    const kind = module.spec.kind ?? "transform";
    if (!kinds.includes(kind)) {
      report(
        `stage '${module.spec.name}' is a ${kind} stage: here a stage must be a ${
          kinds.join(" or ")
        } (it receives batches and passes on the ones to keep)`,
        [...entry, "use"],
      );
      continue;
    }
    const id = _id(r.id, module, ids, [...entry, "id"], report);
    if (id === null) continue;
    let valid = true;
    const config = checkFields(r.with, module.spec.fields, [...entry, "with"], (m, p, k) => {
      valid = false;
      report(m, p, k);
    });
    if (valid) {
      for (const c of module.spec.check?.(config) ?? []) {
        report(c.message, [...entry, "with", ...c.path]);
      }
    }
    await resolveStageRefs(config, module.spec.fields, [...entry, "with"], { ...o, stageId: id });
    const use = typeof r.use === "string" ? r.use : module.spec.name;
    out.push({ id, use, module, config, toJSON: () => ({ id, use, with: config }) });
  }
  return out;
}

/** The reference's id: as written, or the stage's name (`name-2`, ... when repeated). */
function _id(
  given: unknown,
  module: StageModule,
  taken: Set<string>,
  at: DocPath,
  report: (m: string, p: DocPath) => void,
): string | null {
  if (given !== undefined) {
    if (typeof given !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(given)) {
      report(
        `stage id must be a name of letters, digits, '_' or '-': current value is ${
          JSON.stringify(given)
        }`,
        at,
      );
      return null;
    }
    if (taken.has(given)) {
      report(`duplicate stage id '${given}' in this list: give each stage its own 'id'`, at);
      return null;
    }
    taken.add(given);
    return given;
  }
  let id = module.spec.name, n = 1;
  while (taken.has(id)) id = `${module.spec.name}-${++n}`;
  taken.add(id);
  return id;
}

/**
 * Finds the module behind a stage's `use:`.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { StageModule } from "../contracts/types.ts";
import type { DocPath } from "./fields.ts";
import type { StageTable } from "./loaded.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/**
 * Resolves a stage's `use:`: a stage module given in code, a name in the stage table, or a path
 * to a user's module (imported), reporting what is wrong with it.
 *
 * @param s The raw stage entry.
 * @param entry Where the entry sits in the document (e.g. `["stages", 2]`).
 * @param dir Where relative module paths resolve.
 * @param table The stages `use:` may name.
 * @param report Receives each problem with its document path.
 * @returns The module, or undefined after reporting why there is none.
 */
export async function resolveUse(
  // deno-lint-ignore no-explicit-any
  s: any,
  entry: DocPath,
  dir: string,
  table: StageTable,
  report: (m: string, p: DocPath, k?: boolean, id?: string) => void,
): Promise<StageModule | undefined> {
  if (typeof s !== "object" || s === null) return undefined;
  const use = s.use;
  const at: DocPath = [...entry, "use"];
  const id = typeof s.id === "string" ? s.id : undefined;
  if (typeof use === "object" && use !== null) {
    const why = invalidModule(use);
    if (why) report(`'use' is not a stage module: ${why}`, at, false, id);
    return why ? undefined : use as StageModule;
  }
  if (typeof use !== "string" || use === "") {
    report(
      "missing 'use': a built-in stage name or a path to a stage module (.ts)",
      entry,
      false,
      id,
    );
    return undefined;
  }
  const isPath = use.startsWith(".") || use.startsWith("/") || /\.(m?[jt]s)$/.test(use);
  if (!isPath) {
    const m = table[use];
    if (!m) {
      const hint = didYouMean(use, Object.keys(table)) ||
        `; built-in stages: ${Object.keys(table).sort().join(", ")}`;
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

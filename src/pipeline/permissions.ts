/**
 * Checks that the process has the permissions the pipeline's stages declare.
 *
 * @module
 */
import type { DocPath } from "./fields.ts";
import type { StageNode } from "./loaded.ts";

/**
 * Reports stages that need a Deno permission this process lacks (`--allow-net`, `--allow-run`).
 *
 * @param stages The resolved stages.
 * @param raw The raw stage entries (for positions).
 * @param report Receives each problem.
 */
export function checkPermissions(
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

/**
 * `deno task docs`: writes `docs/stages.md`, the reference of every built-in stage, generated
 * from the stage specs (a test fails when it is out of date).
 *
 * @module
 */
import { BUILTIN_STAGES } from "../stages/registry.ts";
import { stageDoc } from "../pipeline/docs.ts";

/** @returns The Markdown of `docs/stages.md`. */
export function stagesReference(): string {
  const names = Object.keys(BUILTIN_STAGES).sort();
  return [
    "# Built-in stages",
    "",
    "Generated from the stage specs by `deno task docs`; do not edit by hand.",
    "Every stage reads and writes Arrow record batches (see the README's data model).",
    "",
    ...names.map((n) => `- [\`${n}\`](#${n}): ${BUILTIN_STAGES[n].spec.summary}`),
    "",
    ...names.map((n) => stageDoc(BUILTIN_STAGES[n].spec).replace(/^## `(.*)`/, "## $1") + "\n"),
  ].join("\n");
}

/**
 * @param args `--check` only compares.
 * @returns 0, or 1 when `--check` finds the file out of date.
 */
export async function main(args: string[]): Promise<number> {
  const path = new URL("../../docs/stages.md", import.meta.url);
  const text = stagesReference();
  if (args.includes("--check")) {
    const old = await Deno.readTextFile(path).catch(() => "");
    if (old !== text) {
      console.error("docs/stages.md is out of date: run 'deno task docs'");
      return 1;
    }
    return 0;
  }
  await Deno.mkdir(new URL("../../docs/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(path, text);
  console.log(`wrote docs/stages.md (${Object.keys(BUILTIN_STAGES).length} stages)`);
  return 0;
}

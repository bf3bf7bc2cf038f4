/**
 * `deno task validate PIPELINE [--set path=value ...]`: checks a pipeline against the stage specs
 * and prints every problem with file:line:column; exit status 1 if any.
 *
 * @module
 */
import { loadPipeline } from "../stages/pipelines.ts";
import { PipelineConfigError } from "../pipeline/errors.ts";
import { parse } from "./args.ts";

/**
 * @param args Command-line arguments after `validate`.
 * @returns 0 when valid, 1 with problems, 2 on usage errors.
 */
export async function main(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    set: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (v.help || positionals.length === 0) {
    console.log("usage: deno task validate PIPELINE... [--set path=value ...]");
    return v.help ? 0 : 2;
  }
  let bad = 0;
  for (const file of positionals) {
    try {
      const p = await loadPipeline(file, { sets: v.set ?? [] });
      console.log(
        `${file}: ok (${p.stages.length} stages: ${p.stages.map((s) => s.id).join(" -> ")})`,
      );
    } catch (e) {
      if (!(e instanceof PipelineConfigError)) throw e;
      bad++;
      for (const line of e.message.split("\n").slice(1)) console.error(line.trim());
      console.error(`${file}: ${e.problems.length} problem${e.problems.length === 1 ? "" : "s"}`);
    }
  }
  return bad ? 1 : 0;
}

/**
 * `deno task stages [NAME]`: lists the built-in stages, or documents one (generated from its spec).
 *
 * @module
 */
import { BUILTIN_STAGES } from "../stages/registry.ts";
import { stageDoc } from "../pipeline/docs.ts";
import { didYouMean } from "../util/did_you_mean.ts";

/**
 * @param args Command-line arguments after `stages`.
 * @returns The exit code.
 */
export function main(args: string[]): Promise<number> {
  const name = args[0];
  if (!name) {
    const w = Math.max(...Object.keys(BUILTIN_STAGES).map((k) => k.length));
    for (const [k, m] of Object.entries(BUILTIN_STAGES).sort()) {
      console.log(`${k.padEnd(w)}  ${m.spec.summary}`);
    }
    return Promise.resolve(0);
  }
  const m = BUILTIN_STAGES[name];
  if (!m) {
    console.error(`error: unknown stage '${name}'${didYouMean(name, Object.keys(BUILTIN_STAGES))}`);
    return Promise.resolve(1);
  }
  console.log(stageDoc(m.spec));
  return Promise.resolve(0);
}

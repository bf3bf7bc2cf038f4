/**
 * `deno task graph PIPELINE [--dot]`: prints the stage graph as an indented tree, or Graphviz dot.
 *
 * @module
 */
import { loadPipeline } from "../stages/pipelines.ts";
import { renderDot, renderTree } from "../pipeline/graph.ts";
import { parse } from "./args.ts";

/**
 * @param args Command-line arguments after `graph`.
 * @returns The exit code.
 */
export async function main(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    dot: { type: "boolean" },
    set: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (v.help || positionals.length !== 1) {
    console.log("usage: deno task graph PIPELINE [--dot] [--set path=value ...]");
    return v.help ? 0 : 2;
  }
  const p = await loadPipeline(positionals[0], { sets: v.set ?? [] });
  console.log(v.dot ? renderDot(p.stages, p.name) : renderTree(p.stages, p.name));
  return 0;
}

/**
 * The `serflow` command line: `deno task <command> ...` runs `src/cli/main.ts <command> ...`.
 * Each command lives in `src/cli/<command>.ts` and exports `main(args): Promise<number>`; it is
 * imported only when used, so `validate` never loads DuckDB or WebGPU.
 *
 * @module
 */
import { formatError } from "./errors.ts";

const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ main(args: string[]): Promise<number> }> }
> = {
  run: { summary: "run a pipeline file", load: () => import("./run.ts") },
  validate: {
    summary: "check a pipeline file without running it",
    load: () => import("./validate.ts"),
  },
  graph: {
    summary: "print the stage graph (--dot for Graphviz)",
    load: () => import("./graph.ts"),
  },
  stages: {
    summary: "list the built-in stages, or document one",
    load: () => import("./stages.ts"),
  },
  docs: {
    summary: "regenerate docs/stages.md from the stage specs",
    load: () => import("./docs.ts"),
  },
  query: { summary: "read-only SQL over a pool", load: () => import("./query.ts") },
  export: {
    summary: "export the labelled pool for TRL/OpenRLHF",
    load: () => import("./export.ts"),
  },
  compare: {
    summary: "seed-only vs SER vs all-labels over several seeds",
    load: () => import("./compare.ts"),
  },
  serve: {
    summary: "serve a run's reward model over HTTP (OpenRLHF /get_reward)",
    load: () => import("./serve.ts"),
  },
};

/** @returns The top-level usage text. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "serflow: self-evolving reward models as a reactive dataflow",
    "",
    "usage: deno task <command> [args]",
    "",
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'deno task <command> --help' for a command's options.",
  ].join("\n");
}

/**
 * Runs one command.
 *
 * @param argv The command name and its arguments.
 * @returns The exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`error: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load()).main(rest);
  } catch (e) {
    console.error(formatError(e, rest.includes("--verbose")));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * The benchmark's result document: written as JSON under `bench/results/`, summarised as
 * Markdown tables, and logged as one row of the runs table in `BENCHMARKS.md`.
 *
 * @module
 */
import type { MachineDescription } from "./machine.ts";

/** Everything one `deno task bench` run produced. */
export interface BenchResults {
  version: 1;
  date: string;
  command: string;
  quick: boolean;
  machine: MachineDescription;
  /** Load averages when the run ended (the start is in `machine.loadAverage`). */
  loadAverageEnd: number[];
  seconds: number;
  /** `git rev-parse --short HEAD` of the checkout, with `+dirty` when tracked files differ. */
  gitCommit?: string | null;
  sections: Record<string, unknown>;
}

/**
 * The checkout's commit, read-only (`git rev-parse`, `git status`), or null outside git.
 *
 * @param dir The repository.
 * @returns e.g. `bac9239` or `bac9239+dirty`.
 * @example
 * ```ts ignore
 * console.log(await gitCommitOf("."));
 * ```
 */
export async function gitCommitOf(dir: string): Promise<string | null> {
  const git = async (...args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: dir, stderr: "null" }).output().catch(
      () => null,
    );
    return out?.success ? new TextDecoder().decode(out.stdout).trim() : null;
  };
  const head = await git("rev-parse", "--short", "HEAD");
  if (head === null) return null;
  const dirty = await git("status", "--porcelain", "--untracked-files=no");
  return dirty ? `${head}+dirty` : head;
}

/**
 * The result file's path: `<dir>/<date>-<machine tag>[-quick].json`.
 *
 * @param dir The results folder.
 * @param date An ISO date-time.
 * @param tag The machine tag.
 * @param quick Whether this was a `--quick` run.
 * @returns The path.
 * @example
 * ```ts
 * import { resultPath } from "./results.ts";
 * if (resultPath("r", "2025-01-02T03:04:05Z", "cpu-2c", true) !== "r/2025-01-02-cpu-2c-quick.json") throw new Error();
 * ```
 */
export function resultPath(dir: string, date: string, tag: string, quick: boolean): string {
  return `${dir}/${date.slice(0, 10)}-${tag}${quick ? "-quick" : ""}.json`;
}

/**
 * Writes the results as pretty JSON (creating the folder).
 *
 * @param path The file.
 * @param r The results.
 * @returns Resolves when written.
 * @example
 * ```ts ignore
 * await writeResults("bench/results/x.json", results);
 * ```
 */
export async function writeResults(path: string, r: BenchResults): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(r, null, 2) + "\n");
}

const START = "<!-- bench:runs:start -->";
const END = "<!-- bench:runs:end -->";
const HEADER =
  "| date | machine | adapter | load (start → end) | command | results |\n|---|---|---|---|---|---|";

/**
 * One row of the runs table.
 *
 * @param r The results.
 * @param jsonPath Where the JSON went (relative to BENCHMARKS.md).
 * @returns A Markdown table row.
 * @example
 * ```ts
 * import { runRow } from "./results.ts";
 * const row = runRow({ date: "2025-01-02T00:00:00Z", command: "deno task bench", machine: { cpu: "X",
 *   cores: 2, memoryGiB: 24, loadAverage: [1, 1, 1], adapter: null } } as never, "bench/results/a.json");
 * if (!row.startsWith("| 2025-01-02 |") || !row.includes("no adapter")) throw new Error(row);
 * ```
 */
export function runRow(r: BenchResults, jsonPath: string): string {
  const m = r.machine;
  const adapter = m.adapter
    ? `${m.adapter.description || m.adapter.device}${m.adapter.software ? " (software)" : ""}`
    : "no adapter";
  const load = `${m.loadAverage[0]} → ${r.loadAverageEnd?.[0] ?? "?"}`;
  const at = r.gitCommit ? ` at ${r.gitCommit}` : "";
  return `| ${
    r.date.slice(0, 10)
  } | ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB | ${adapter} | ${load} | \`${r.command}\`${at} | [${
    jsonPath.split("/").at(-1)
  }](${jsonPath}) |`;
}

/**
 * Adds a row to the runs table between the `bench:runs` markers of a Markdown text (creating the
 * table there if the markers are empty; appending a section if there are none).
 *
 * @param md The Markdown text.
 * @param row The row.
 * @returns The new text.
 * @example
 * ```ts
 * import { addRunRow } from "./results.ts";
 * const md = addRunRow("# B\n<!-- bench:runs:start -->\n<!-- bench:runs:end -->\n", "| a |");
 * if (!md.includes("| a |\n<!-- bench:runs:end -->")) throw new Error(md);
 * ```
 */
export function addRunRow(md: string, row: string): string {
  const s = md.indexOf(START), e = md.indexOf(END);
  if (s < 0 || e < s) return `${md.trimEnd()}\n\n## Runs\n\n${START}\n${HEADER}\n${row}\n${END}\n`;
  const body = md.slice(s + START.length, e).trim();
  // A table already there (`deno fmt` aligns it: `| --- |` separators) keeps its rows.
  const table = /^\|[\s:-]*-{3}/m.test(body) ? body : HEADER;
  return `${md.slice(0, s)}${START}\n${table}\n${row}\n${md.slice(e)}`;
}

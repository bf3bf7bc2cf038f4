/**
 * The run directory: `run.json` records the run id, status and resolved config, so `--resume`
 * continues the same run and a fresh run never silently replaces an unfinished one.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../contracts/types.ts";
import type { LoadedPipeline } from "./loaded.ts";

/** What `run.json` holds. */
export interface RunRecord {
  runId: string;
  pipeline: string;
  status: "running" | "completed" | "interrupted" | "failed";
  startedAt: string;
  finishedAt?: string;
  config: unknown;
  /**
   * The run this one's results were taken from instead of running (a `compare` seed-only
   * method: the SER run's iteration 0), relative to this run's directory.
   */
  derivedFrom?: string;
}

async function readRecord(dir: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "run.json")));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read '${join(dir, "run.json")}': ${(e as Error).message}`);
  }
}

/**
 * Creates (or, with `resume`, reopens) a run directory.
 *
 * @returns The run id and start time.
 */
export async function prepareRunDir(
  dir: string,
  p: LoadedPipeline,
  resume: boolean,
  log: Logger,
): Promise<{ runId: string; startedAt: string }> {
  const perm = Deno.permissions.querySync({ name: "write", path: dir });
  if (perm.state !== "granted") {
    throw new Error(
      `Cannot write the run directory '${dir}': this command may write under runs/ only. ` +
        `Choose a --run-dir under runs/, or run deno with --allow-write=${dir}`,
    );
  }
  const prev = await readRecord(dir);
  if (resume) {
    if (!prev) throw new Error(`Cannot resume as '${dir}' holds no run: start it without --resume`);
    if (prev.pipeline !== p.name) {
      throw new Error(
        `Cannot resume as '${dir}' holds a run of pipeline '${prev.pipeline}', not '${p.name}'`,
      );
    }
    if (prev.status === "completed") {
      log.warn("the run in this directory already completed; resuming adds nothing new");
    }
    await writeRunRecord(dir, { ...prev, status: "running" });
    return { runId: prev.runId, startedAt: prev.startedAt };
  }
  if (prev && prev.status !== "completed") {
    throw new Error(
      `Cannot start a new run in '${dir}' as it holds an unfinished run (${prev.status}): ` +
        `continue it with --resume, or choose another --run-dir (or delete the directory)`,
    );
  }
  if (prev) {
    log.info(`replacing the completed run ${prev.runId} in ${dir}`);
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.mkdir(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  const runId = `${p.name}-${startedAt.replace(/[-:]/g, "").replace(/\..*/, "")}-${
    crypto.randomUUID().slice(0, 8)
  }`;
  await writeRunRecord(dir, {
    runId,
    pipeline: p.name,
    status: "running",
    startedAt,
    config: p.resolved,
  });
  return { runId, startedAt };
}

/** Writes `run.json` atomically (temp file + rename). */
export async function writeRunRecord(dir: string, r: Omit<RunRecord, "finishedAt">): Promise<void> {
  const rec: RunRecord = {
    ...r,
    ...(r.status !== "running" ? { finishedAt: new Date().toISOString() } : {}),
  };
  const tmp = join(dir, `.run.json.${crypto.randomUUID().slice(0, 8)}`);
  await Deno.writeTextFile(tmp, JSON.stringify(rec, null, 2) + "\n");
  await Deno.rename(tmp, join(dir, "run.json"));
}

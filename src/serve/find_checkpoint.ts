/**
 * Which checkpoint a server loads from a run directory (or a checkpoint file): of the run that
 * wrote the newest checkpoint, the newest model it kept or a `train` stage wrote
 * (`checkpoints/<stage>.ckpt`); while its SER loop has kept none yet, its newest iteration
 * checkpoint (`checkpoints/iter-<n>.ckpt`).
 *
 * @module
 */
import { basename, join } from "node:path";
import { readCheckpointHeader } from "../model/checkpoint.ts";

/** A checkpoint found on disk. */
export interface FoundCheckpoint {
  path: string;
  createdAt: string;
}

/** What a server was pointed at. */
export interface ServeTarget {
  /** The run directory to watch, or null for a single checkpoint file. */
  runDir: string | null;
  /** The checkpoint file itself when the target is one. */
  file: string | null;
}

/**
 * @param target A run directory or a checkpoint file.
 * @returns What it is.
 * @throws {Error} When it does not exist or is neither.
 */
export async function serveTarget(target: string): Promise<ServeTarget> {
  const stat = await Deno.stat(target).catch((e) => {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot serve '${target}' as it does not exist: give a run directory (runs/<name>) ` +
          `or a checkpoint file (.ckpt)`,
      );
    }
    throw e;
  });
  return stat.isDirectory ? { runDir: target, file: null } : { runDir: null, file: target };
}

/**
 * @param runDir The run directory.
 * @returns The checkpoint to serve, or null when the run has written none.
 * @example
 * ```ts
 * import { newestServable } from "./find_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * if (await newestServable(dir) !== null) throw new Error();
 * await Deno.remove(dir);
 * ```
 */
export async function newestServable(runDir: string): Promise<FoundCheckpoint | null> {
  const dir = join(runDir, "checkpoints");
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const all: (FoundCheckpoint & { runId: string | null; iteration: boolean })[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!e.isFile || !e.name.endsWith(".ckpt")) continue;
    const path = join(dir, e.name);
    const h = await readCheckpointHeader(path).catch(() => null);
    if (!h) continue;
    all.push({
      path,
      createdAt: h.metadata.createdAt,
      runId: h.metadata.runId ?? null,
      iteration: /^iter-\d+\.ckpt$/.test(basename(path)),
    });
  }
  // The newest checkpoint names the current run: an older run's kept model in the same folder
  // does not hide the iterations of a run in progress.
  const newest = (xs: typeof all) =>
    xs.reduce<(typeof all)[number] | null>(
      (b, x) => (!b || x.createdAt >= b.createdAt ? x : b),
      null,
    );
  const run = newest(all)?.runId ?? null;
  const mine = all.filter((x) => x.runId === run);
  const kept = newest(mine.filter((x) => !x.iteration)),
    iter = newest(mine.filter((x) => x.iteration));
  const pick = kept ?? iter;
  return pick ? { path: pick.path, createdAt: pick.createdAt } : null;
}

/**
 * @param target What the server was pointed at.
 * @returns The checkpoint to serve now, or null when there is none.
 */
export async function currentCheckpoint(target: ServeTarget): Promise<FoundCheckpoint | null> {
  if (target.runDir !== null) return await newestServable(target.runDir);
  const h = await readCheckpointHeader(target.file!);
  return { path: target.file!, createdAt: h.metadata.createdAt };
}

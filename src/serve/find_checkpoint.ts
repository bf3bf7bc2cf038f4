/**
 * Which checkpoint a server loads from a run directory (or a checkpoint file): the newest model a
 * run kept or a `train` stage wrote (`checkpoints/<stage>.ckpt`); while a SER loop has kept none
 * yet, its newest iteration checkpoint (`checkpoints/iter-<n>.ckpt`).
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
  let kept: FoundCheckpoint | null = null, iter: FoundCheckpoint | null = null;
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!e.isFile || !e.name.endsWith(".ckpt")) continue;
    const path = join(dir, e.name);
    const h = await readCheckpointHeader(path).catch(() => null);
    if (!h) continue;
    const found = { path, createdAt: h.metadata.createdAt };
    if (/^iter-\d+\.ckpt$/.test(basename(path))) {
      if (!iter || found.createdAt >= iter.createdAt) iter = found;
    } else if (!kept || found.createdAt >= kept.createdAt) kept = found;
  }
  return kept ?? iter;
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

/**
 * Finds the newest checkpoint that the current run wrote under `<runDir>/checkpoints/`.
 *
 * @module
 */
import { join } from "node:path";
import { readCheckpointHeader } from "./checkpoint.ts";

/**
 * @param runDir The run directory.
 * @param runId Only checkpoints whose metadata names this run count (a stale file from an
 *   earlier run in the same folder is ignored).
 * @returns The path of the newest one by `createdAt` (ties: the later name), or null.
 * @example
 * ```ts
 * import { latestCheckpoint } from "./latest_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * if (await latestCheckpoint(dir, "run-1") !== null) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function latestCheckpoint(runDir: string, runId: string): Promise<string | null> {
  const dir = join(runDir, "checkpoints");
  let best: { path: string; at: string } | null = null;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (!e.isFile || !e.name.endsWith(".ckpt")) continue;
    const path = join(dir, e.name);
    const h = await readCheckpointHeader(path).catch(() => null);
    if (!h || h.metadata.runId !== runId) continue;
    if (!best || h.metadata.createdAt >= best.at) best = { path, at: h.metadata.createdAt };
  }
  return best?.path ?? null;
}

/**
 * `--follow`: watches the run directory (or the checkpoint file) and offers each newly written
 * checkpoint to the model slot, which switches to it between batches. Loads in the background;
 * a checkpoint that fails to load is logged and skipped, and the current model keeps answering.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { Logger } from "../contracts/types.ts";
import { currentCheckpoint, type ServeTarget } from "./find_checkpoint.ts";
import type { ModelSlot } from "./model_slot.ts";
import { modelId, type ServedModel } from "./served_model.ts";

/** A running follower; `stop()` ends it. */
export interface Follower {
  /** Resolves after the next scan (and any load it started) is done. Used by tests. */
  scan(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * @param target The run directory or checkpoint file being served.
 * @param slot The slot to offer new models to.
 * @param open Opens a checkpoint as a served model.
 * @param log Where switches and failures are logged.
 * @param pollMs Rescan period as a fallback for file-system events (0: events only).
 * @returns The follower.
 */
export function follow(
  target: ServeTarget,
  slot: ModelSlot<ServedModel>,
  open: (path: string) => Promise<ServedModel>,
  log: Logger,
  pollMs = 2000,
): Follower {
  const watchDir = target.runDir !== null
    ? join(target.runDir, "checkpoints")
    : dirname(target.file!);
  let known = slot.current.id, stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const scanOnce = async () => {
    if (stopped) return;
    const found = await currentCheckpoint(target).catch(() => null);
    if (!found || modelId(found.path, found.createdAt) === known) return;
    known = modelId(found.path, found.createdAt);
    try {
      const model = await open(found.path);
      if (stopped) return model.destroy();
      slot.offer(model);
    } catch (e) {
      log.warn("cannot load the new checkpoint; still serving the current model", {
        checkpoint: found.path,
        error: (e as Error).message,
      });
    }
  };
  const scan = () => (chain = chain.then(scanOnce));
  let watcher: Deno.FsWatcher | null = null;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  try {
    watcher = Deno.watchFs(watchDir, { recursive: false });
  } catch (e) {
    log.warn("cannot watch for new checkpoints; polling instead", {
      dir: watchDir,
      error: (e as Error).message,
    });
  }
  const events = (async () => {
    if (!watcher) return;
    for await (const _ of watcher) {
      clearTimeout(debounce);
      debounce = setTimeout(scan, 100);
    }
  })();
  const poll = pollMs > 0 ? setInterval(scan, pollMs) : undefined;
  return {
    scan,
    async stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
      await events.catch(() => {});
      await chain;
    },
  };
}

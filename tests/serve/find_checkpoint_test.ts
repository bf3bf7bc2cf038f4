import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { saveCheckpoint } from "../../src/model/checkpoint.ts";
import { zeroParams } from "../../src/model/params.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { newestServable } from "../../src/serve/find_checkpoint.ts";
import { withRunDir } from "./_server.ts";

const MODEL = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 2 };

function write(dir: string, name: string, runId: string, createdAt: string): Promise<void> {
  return saveCheckpoint(join(dir, "checkpoints", name), {
    model: MODEL,
    featurizer: null,
    params: zeroParams(MODEL),
    metadata: { createdAt, iteration: 0, dataHash: "", metrics: {}, runId },
  });
}

Deno.test("newestServable prefers the current run's kept model, else its newest iteration", () =>
  withRunDir(async (dir) => {
    const pick = async () => basename((await newestServable(dir))?.path ?? "none");
    assert.equal(await pick(), "none");
    await write(dir, "evolve.ckpt", "old", "2026-01-01T00:00:05Z");
    await write(dir, "iter-7.ckpt", "old", "2026-01-01T00:00:04Z");
    assert.equal(await pick(), "evolve.ckpt", "a kept model beats an iteration of its run");
    // A new run in the same folder: its iterations, not the old run's kept model.
    await write(dir, "iter-0.ckpt", "new", "2026-01-02T00:00:00Z");
    assert.equal(await pick(), "iter-0.ckpt");
    await write(dir, "iter-1.ckpt", "new", "2026-01-02T00:00:01Z");
    assert.equal(await pick(), "iter-1.ckpt");
    await write(dir, "evolve.ckpt", "new", "2026-01-02T00:00:02Z");
    await write(dir, "iter-1.ckpt", "new", "2026-01-02T00:00:01Z"); // slimmed later, same time
    assert.equal(await pick(), "evolve.ckpt");
    await Deno.writeTextFile(join(dir, "checkpoints", "junk.ckpt"), "not a checkpoint");
    assert.equal(await pick(), "evolve.ckpt", "unreadable files are skipped");
  }));

import assert from "node:assert/strict";
import { join } from "node:path";
import { Rng } from "../../src/contracts/rng.ts";
import {
  type Checkpoint,
  loadCheckpoint,
  readCheckpointHeader,
  saveCheckpoint,
} from "../../src/model/checkpoint.ts";
import { DEFAULT_FEATURIZER } from "../../src/model/featurizer.ts";
import { latestCheckpoint } from "../../src/model/latest_checkpoint.ts";
import { initParams } from "../../src/model/params.ts";
import { smallConfig } from "./_fixtures.ts";

function sample(over: Partial<Checkpoint["metadata"]> = {}): Checkpoint {
  const model = smallConfig({ buckets: 20, dim: 4, hidden: 6 });
  const rng = new Rng(1);
  return {
    model,
    featurizer: { ...DEFAULT_FEATURIZER, buckets: 20, ngramMax: 3 },
    params: initParams(model, rng),
    optimizer: { step: 17, m: initParams(model, rng), v: initParams(model, rng) },
    metadata: {
      createdAt: "2025-01-02T03:04:05.000Z",
      iteration: 2,
      dataHash: "abc",
      metrics: { acc: 0.75 },
      runId: "r1",
      ...over,
    },
  };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "serflow-ckpt-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a checkpoint round-trips settings, weights, optimizer state and metadata exactly", () =>
  withDir(async (dir) => {
    const path = join(dir, "sub", "m.ckpt");
    const ck = sample();
    await saveCheckpoint(path, ck);
    const back = await loadCheckpoint(path, { model: ck.model, featurizer: ck.featurizer });
    assert.deepEqual(back.model, ck.model);
    assert.deepEqual(back.featurizer, ck.featurizer);
    assert.deepEqual(back.metadata, ck.metadata);
    assert.deepEqual(back.params, ck.params);
    assert.deepEqual(back.optimizer, ck.optimizer);
    assert.deepEqual(
      [...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name),
      ["m.ckpt"],
      "no temp file left",
    );
    assert.equal((await readCheckpointHeader(path)).optimizerStep, 17);
  }));

Deno.test("a checkpoint saved without optimizer state loads with none, and overwrites in place", () =>
  withDir(async (dir) => {
    const path = join(dir, "m.ckpt");
    await saveCheckpoint(path, sample());
    await saveCheckpoint(path, { ...sample(), optimizer: undefined });
    const back = await loadCheckpoint(path);
    assert.equal(back.optimizer, undefined);
    assert.deepEqual(back.params.w1, sample().params.w1);
  }));

Deno.test("loadCheckpoint() refuses an incompatible config, naming each mismatch", () =>
  withDir(async (dir) => {
    const path = join(dir, "x.ckpt");
    const ck = sample();
    await saveCheckpoint(path, ck);
    await assert.rejects(
      loadCheckpoint(path, { model: { ...ck.model, dim: 8 } }),
      {
        message:
          `Cannot load checkpoint '${path}' as model.dim is 4 in the checkpoint but 8 in the pipeline: ` +
          "use a checkpoint trained with the same settings, or change the pipeline to match it",
      },
    );
    await assert.rejects(
      loadCheckpoint(path, {
        model: { ...ck.model, hidden: 5, denseFeatures: false },
        featurizer: { ...ck.featurizer!, ngramMax: 2 },
      }),
      {
        message:
          `Cannot load checkpoint '${path}' as model.hidden is 6 in the checkpoint but 5 in the pipeline, ` +
          "and model.dense_features is true in the checkpoint but false in the pipeline, " +
          "and features.ngram_max is 3 in the checkpoint but 2 in the pipeline: " +
          "use a checkpoint trained with the same settings, or change the pipeline to match it",
      },
    );
    // init_scale does not change a trained model: not a mismatch.
    await loadCheckpoint(path, { model: { ...ck.model, initScale: 1 } });
  }));

Deno.test("loadCheckpoint() refuses a truncated file and a file that is not a checkpoint", () =>
  withDir(async (dir) => {
    const path = join(dir, "t.ckpt");
    await saveCheckpoint(path, sample());
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 2));
    await assert.rejects(
      loadCheckpoint(path),
      /section 'v.b2' lies outside the file: it is truncated/,
    );
    await Deno.writeTextFile(path, "hello world, not a model");
    await assert.rejects(
      loadCheckpoint(path),
      /Cannot read checkpoint '.*' as it does not start with 'SFCKPT01'/,
    );
  }));

Deno.test("latestCheckpoint() picks this run's newest checkpoint and ignores other runs' files", () =>
  withDir(async (dir) => {
    const ck = join(dir, "checkpoints");
    await saveCheckpoint(join(ck, "a.ckpt"), sample({ createdAt: "2025-01-01T00:00:00.000Z" }));
    await saveCheckpoint(join(ck, "b.ckpt"), sample({ createdAt: "2025-01-03T00:00:00.000Z" }));
    await saveCheckpoint(
      join(ck, "c.ckpt"),
      sample({ createdAt: "2025-01-09T00:00:00.000Z", runId: "old" }),
    );
    await Deno.writeTextFile(join(ck, "junk.ckpt"), "not a checkpoint");
    assert.equal(await latestCheckpoint(dir, "r1"), join(ck, "b.ckpt"));
    assert.equal(await latestCheckpoint(dir, "other"), null);
  }));

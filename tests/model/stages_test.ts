import assert from "node:assert/strict";
import { join } from "node:path";
import { pairBatch, pairRows } from "../../src/data/schema.ts";
import * as evaluate from "../../src/stages/evaluate.ts";
import * as featurize from "../../src/stages/featurize.ts";
import * as score from "../../src/stages/score.ts";
import * as train from "../../src/stages/train.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import { csrFromList } from "../../src/model/id_columns.ts";
import { modelContext, runStage } from "./_context.ts";
import { toyRows } from "./_fixtures.ts";

const MODEL = { buckets: 4096, dim: 16, hidden: 16 };
const TRAIN = { epochs: 8, batch: 32, lr: 0.02 };

function toyBatches() {
  return [
    pairBatch([...toyRows(200, 1, "seed"), ...toyRows(50, 2, "validation")]),
    pairBatch([...toyRows(200, 3, "seed"), ...toyRows(100, 4, "unlabelled")]),
    pairBatch(toyRows(200, 5, "test")),
  ];
}

async function withRun(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "serflow-stages-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("featurize, train, score and evaluate run end to end on the CPU and learn a toy preference", () =>
  withRun(async (dir) => {
    const input = toyBatches();
    const feats = await runStage(
      featurize,
      { buckets: MODEL.buckets },
      modelContext(dir, { stageId: "feat" }),
      input,
    );
    assert.equal(feats.length, 3);
    assert.equal(csrFromList(feats[0].getChild("a_ids")).offsets.length, 251);

    const tctx = modelContext(dir, { stageId: "train" });
    const trained = await runStage(
      train,
      { model: MODEL, train: { ...TRAIN, epoch_patience: 0 } },
      tctx,
      feats,
    );
    assert.deepEqual(
      trained.map((b) => pairRows(b)),
      feats.map((b) => pairRows(b)),
      "batches pass through",
    );
    const ckpt = await loadCheckpoint(join(dir, "checkpoints", "train.ckpt"));
    assert.equal(ckpt.metadata.metrics.trainPairs, 400);
    assert.equal(ckpt.metadata.runId, "run-1");
    assert.ok(ckpt.optimizer && ckpt.optimizer.step === 8 * Math.ceil(400 / 32));
    const val = ckpt.metadata.metrics.validation as { n: number; accuracy: number };
    assert.equal(val.n, 50);
    assert.ok(tctx.logs.some((l) => l.msg === "epoch" && l.fields?.epoch === 8));

    const scored = await runStage(score, {}, modelContext(dir, { stageId: "score" }), trained);
    const s = scored[2];
    for (let i = 0; i < s.numRows; i++) {
      const r = s.getChild("reward_a")!.get(i), p = s.getChild("p_a")!.get(i);
      assert.ok(Math.abs(p - 1 / (1 + Math.exp(-r))) < 1e-6);
    }
    assert.equal(String(s.schema.fields.find((f) => f.name === "p_b")!.type), "Float32");

    const ectx = modelContext(dir, { stageId: "eval" });
    const out = await runStage(evaluate, { split: "test" }, ectx, scored);
    assert.equal(out.length, 3);
    const report = JSON.parse(await Deno.readTextFile(join(dir, "eval.json")));
    assert.equal(report.n, 200);
    assert.equal(report.checkpoint, null, "used the reward columns, not a checkpoint");
    assert.ok(report.accuracy > 0.9, `test accuracy ${report.accuracy}`);
    assert.equal(report.bins.length, 10);

    // Without reward columns, evaluate scores with the run's checkpoint and gets the same numbers.
    await runStage(evaluate, { split: "test" }, modelContext(dir, { stageId: "eval2" }), trained);
    const again = JSON.parse(await Deno.readTextFile(join(dir, "eval2.json")));
    assert.equal(again.checkpoint, join(dir, "checkpoints", "train.ckpt"));
    assert.equal(again.accuracy, report.accuracy);
    assert.ok(Math.abs(again.loss - report.loss) < 1e-6);

    // The hidden gold labels of the unlabelled split can be evaluated explicitly; `label` has none.
    await runStage(
      evaluate,
      { split: "unlabelled", labels: "gold" },
      modelContext(dir, { stageId: "gold" }),
      scored,
    );
    assert.equal(JSON.parse(await Deno.readTextFile(join(dir, "gold.json"))).n, 100);
    const none = modelContext(dir, { stageId: "none" });
    await runStage(evaluate, { split: "unlabelled" }, none, scored);
    assert.equal(JSON.parse(await Deno.readTextFile(join(dir, "none.json"))).accuracy, null);
    assert.ok(none.logs.some((l) => l.level === "warn" && l.msg.includes("nothing to evaluate")));
  }));

Deno.test("train never reads gold: flipping every gold label leaves the trained weights identical", () =>
  withRun(async (dir) => {
    const flip = toyBatches().map((b) =>
      pairBatch(
        pairRows(b).map((r) => ({ ...r, gold: r.gold === null ? null : (-r.gold as 1 | -1) })),
      )
    );
    const cfg = { model: MODEL, train: { ...TRAIN, epochs: 2 }, splits: ["seed", "unlabelled"] };
    await runStage(train, cfg, modelContext(join(dir, "a"), { stageId: "t" }), toyBatches());
    await runStage(train, cfg, modelContext(join(dir, "b"), { stageId: "t" }), flip);
    const a = await loadCheckpoint(join(dir, "a", "checkpoints", "t.ckpt"));
    const b = await loadCheckpoint(join(dir, "b", "checkpoints", "t.ckpt"));
    assert.deepEqual(a.params, b.params);
    assert.equal(a.metadata.metrics.trainPairs, 400, "unlabelled rows have no label to train on");
    assert.equal(a.metadata.dataHash, b.metadata.dataHash);
  }));

Deno.test("train warm-starts from a checkpoint and refuses one of another shape", () =>
  withRun(async (dir) => {
    const first = modelContext(dir, { stageId: "first" });
    await runStage(train, { model: MODEL, train: { ...TRAIN, epochs: 1 } }, first, toyBatches());
    const path = join(dir, "checkpoints", "first.ckpt");
    const ctx = modelContext(dir, { stageId: "second" });
    await runStage(
      train,
      { model: MODEL, train: { ...TRAIN, epochs: 1 }, init: path },
      ctx,
      toyBatches(),
    );
    const second = await loadCheckpoint(join(dir, "checkpoints", "second.ckpt"));
    assert.equal(second.optimizer!.step, 2 * Math.ceil(400 / 32), "the optimizer state continued");
    await assert.rejects(
      runStage(
        train,
        { model: { ...MODEL, hidden: 8 }, init: path },
        modelContext(dir, { stageId: "third" }),
        toyBatches(),
      ),
      {
        message:
          `Cannot load checkpoint '${path}' as model.hidden is 16 in the checkpoint but 8 in the pipeline: use a checkpoint trained with the same settings, or change the pipeline to match it`,
      },
    );
  }));

Deno.test("train explains what to do when no row is labelled in its splits", () =>
  withRun(async (dir) => {
    await assert.rejects(
      runStage(
        train,
        { model: MODEL, splits: ["nope"] },
        modelContext(dir, { stageId: "t" }),
        toyBatches(),
      ),
      {
        message:
          `Cannot train in stage 't' as none of the 750 rows is labelled in splits ["nope"]: run a split stage first or set 'splits'`,
      },
    );
  }));

Deno.test("train and score refuse token ids made with other featurizer settings", () =>
  withRun(async (dir) => {
    const feats = await runStage(
      featurize,
      { buckets: MODEL.buckets, ngram_max: 1 },
      modelContext(dir),
      toyBatches(),
    );
    await assert.rejects(
      runStage(train, { model: MODEL }, modelContext(dir, { stageId: "t" }), feats),
      /Cannot use the 'prompt_ids' column for stage 't' as its token ids were made with other featurizer settings/,
    );
    await runStage(
      train,
      { model: MODEL, features: { ngram_max: 1 }, train: { epochs: 1 } },
      modelContext(dir, { stageId: "t" }),
      feats,
    );
    const other = await runStage(
      featurize,
      { buckets: MODEL.buckets },
      modelContext(dir),
      toyBatches(),
    );
    await assert.rejects(
      runStage(score, {}, modelContext(dir, { stageId: "s" }), other),
      /token ids were made with other featurizer settings/,
    );
  }));

Deno.test("score without a checkpoint in the run says how to get one", () =>
  withRun(async (dir) => {
    await assert.rejects(
      runStage(score, {}, modelContext(dir, { stageId: "s" }), toyBatches()),
      {
        message: `Cannot score in stage 's' as this run has written no checkpoint under ${
          join(dir, "checkpoints")
        }: put a train stage before it or set 'checkpoint'`,
      },
    );
  }));

import assert from "node:assert/strict";
import { trainStep } from "../../src/ser/train.ts";
import { fitModel } from "../../src/model/fit.ts";
import { evaluatePairs } from "../../src/model/metrics.ts";
import { initParams } from "../../src/model/params.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { buildTrainSet } from "../../src/ser/train_set.ts";
import { worldConfig, worldContext } from "./_world.ts";

async function setup() {
  const ctx = await worldContext(worldConfig({ train: { epochs: 12, lr: 0.05 } }));
  const { data, backend, opts } = ctx;
  await backend.setParams(initParams(opts.model, new Rng(1)));
  const set = buildTrainSet(data, new Map(), "ser", opts.train);
  const labels = Int8Array.from(data.validation, (i) => data.label[i]);
  return { ...ctx, set, labels };
}

Deno.test("trainStep() without early stopping runs every epoch like fitModel", async () => {
  const a = await setup(), b = await setup();
  const out = await trainStep(a.backend, a.set, a.opts.train, new Rng(3), null);
  await fitModel(b.backend, b.set, b.opts.train, new Rng(3));
  assert.equal(out.epochs, 12);
  assert.equal(out.keptEpoch, 12);
  assert.deepEqual((await a.backend.getParams()).params, (await b.backend.getParams()).params);
});

Deno.test("trainStep() keeps the epoch with the lowest validation loss and stops after patience", async () => {
  const a = await setup(), b = await setup();
  const patience = 2;
  const out = await trainStep(a.backend, a.set, a.opts.train, new Rng(3), {
    indices: a.data.validation,
    labels: a.labels,
    patience,
  });
  // Replay epoch by epoch with the same shuffles, recording validation loss and weights.
  const rng = new Rng(3);
  const losses: number[] = [];
  const weights = [];
  for (let e = 0; e < 12; e++) {
    await fitModel(b.backend, b.set, { ...b.opts.train, epochs: 1 }, rng);
    const s = await b.backend.score(b.data.validation);
    losses.push(evaluatePairs(s.rewardA, s.rewardB, b.labels).loss);
    weights.push((await b.backend.getParams()).params);
  }
  // The first epoch after which `patience` epochs brought no new minimum.
  let best = 0, stop = 12;
  for (let e = 1; e < 12; e++) {
    if (losses[e] < losses[best]) best = e;
    else if (e - best >= patience) {
      stop = e + 1;
      break;
    }
  }
  assert.ok(stop < 12, "the fixture must overfit so that early stopping triggers");
  assert.equal(out.keptEpoch, best + 1);
  assert.equal(out.epochs, stop);
  assert.equal(out.validationLoss, losses[best]);
  assert.deepEqual((await a.backend.getParams()).params, weights[best]);
});

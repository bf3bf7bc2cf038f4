import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { DEFAULT_FEATURIZER, Featurizer } from "../../src/model/featurizer.ts";
import { fitModel } from "../../src/model/fit.ts";
import { evaluatePairs } from "../../src/model/metrics.ts";
import { initParams } from "../../src/model/params.ts";
import {
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  type ModelConfig,
  type PairFeatures,
} from "../../src/model/types.ts";

const NEUTRAL = Array.from({ length: 60 }, (_, i) => `word${i}`);
const GOOD = ["thanks", "sure", "helpful", "clear", "correct"];
const BAD = ["whatever", "wrong", "rude", "useless", "no"];

/** Pairs where the response with a "good" word is preferred: separable by unigrams. */
function toyWorld(n: number, seed: number) {
  const rng = new Rng(seed);
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  const text = (k: number, extra: string) => {
    const ws = Array.from({ length: k }, () => pick(NEUTRAL));
    ws.splice(rng.int(k + 1), 0, extra);
    return ws.join(" ");
  };
  const prompts: string[] = [], as: string[] = [], bs: string[] = [], labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const aGood = rng.next() < 0.5;
    prompts.push(text(5, pick(NEUTRAL)));
    as.push(text(4, pick(aGood ? GOOD : BAD)));
    bs.push(text(4, pick(aGood ? BAD : GOOD)));
    labels.push(aGood ? 1 : -1);
  }
  return { prompts, as, bs, labels: Int8Array.from(labels) };
}

function featurize(w: ReturnType<typeof toyWorld>, buckets: number): PairFeatures {
  const f = new Featurizer({ ...DEFAULT_FEATURIZER, buckets });
  const p = f.featurizeTexts(w.prompts, "prompt"), a = f.featurizeTexts(w.as, "response");
  const b = f.featurizeTexts(w.bs, "response");
  return {
    n: w.prompts.length,
    promptOffsets: p.offsets,
    promptIds: p.ids,
    aOffsets: a.offsets,
    aIds: a.ids,
    bOffsets: b.offsets,
    bIds: b.ids,
  };
}

async function train(cfg: ModelConfig, seed: number) {
  const trainW = toyWorld(400, 1), testW = toyWorld(200, 2);
  const both = featurize({
    prompts: [...trainW.prompts, ...testW.prompts],
    as: [...trainW.as, ...testW.as],
    bs: [...trainW.bs, ...testW.bs],
    labels: new Int8Array(),
  }, cfg.buckets);
  const backend = CpuBackend.create(cfg);
  await backend.load(both);
  const rng = new Rng(seed);
  await backend.setParams(initParams(cfg, rng.fork("init")));
  const set = {
    indices: Uint32Array.from({ length: 400 }, (_, i) => i),
    labels: trainW.labels,
    weights: new Float32Array(400).fill(1),
  };
  const test = Uint32Array.from({ length: 200 }, (_, i) => 400 + i);
  const log = await fitModel(
    backend,
    set,
    { ...DEFAULT_TRAIN, epochs: 8, batchSize: 32, lr: 0.02 },
    rng.fork("shuffle"),
    {
      validation: { indices: test, labels: testW.labels },
    },
  );
  const s = await backend.score(test);
  return {
    log,
    metrics: evaluatePairs(s.rewardA, s.rewardB, testW.labels),
    params: (await backend.getParams()).params,
  };
}

const CFG: ModelConfig = { ...DEFAULT_MODEL, buckets: 4096, dim: 16, hidden: 16 };

Deno.test("training on a separable toy set reaches > 95% held-out accuracy", async () => {
  const { log, metrics } = await train(CFG, 3);
  assert.ok(metrics.accuracy > 0.95, `held-out accuracy ${metrics.accuracy}`);
  assert.ok(log.at(-1)!.loss < log[0].loss, "training loss falls");
  assert.equal(log.at(-1)!.validation!.accuracy, metrics.accuracy);
});

Deno.test("training twice with the same seed gives bit-identical weights; another seed does not", async () => {
  const cfg = { ...CFG, activation: "relu" as const, pooling: "mean" as const };
  const a = await train(cfg, 4), b = await train(cfg, 4), c = await train(cfg, 5);
  assert.deepEqual(a.params, b.params);
  assert.notDeepEqual(a.params.w1, c.params.w1);
});

Deno.test("fitModel() stops before the next epoch when its signal is aborted", async () => {
  const backend = CpuBackend.create(CFG);
  await backend.load(featurize(toyWorld(10, 1), CFG.buckets));
  const ctl = new AbortController();
  let epochs = 0;
  const set = {
    indices: Uint32Array.from({ length: 10 }, (_, i) => i),
    labels: new Int8Array(10).fill(1),
    weights: new Float32Array(10).fill(1),
  };
  await assert.rejects(
    fitModel(backend, set, { ...DEFAULT_TRAIN, epochs: 5 }, new Rng(1), {
      signal: ctl.signal,
      onEpoch: () => {
        if (++epochs === 2) ctl.abort(new Error("stop now"));
      },
    }),
    /stop now/,
  );
  assert.equal(epochs, 2);
});

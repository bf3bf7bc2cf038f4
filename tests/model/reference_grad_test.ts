import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
import { batchGradients, batchLoss } from "../../src/model/reference_batch.ts";
import { PARAM_GROUPS } from "../../src/model/params.ts";
import type { ModelConfig } from "../../src/model/types.ts";
import { randomFeatures, randomParams64, randomSet, smallConfig } from "./_fixtures.ts";

const VARIANTS: [string, Partial<ModelConfig>][] = [];
for (const pooling of ["mean", "sqrtn"] as const) {
  for (const activation of ["gelu", "relu"] as const) {
    for (const denseFeatures of [true, false]) {
      VARIANTS.push([`${pooling}/${activation}/dense=${denseFeatures}`, {
        pooling,
        activation,
        denseFeatures,
      }]);
    }
  }
}
VARIANTS.push(["embedding input/gelu/dense=true", { input: "embedding", dim: 4 }]);
VARIANTS.push(["embedding input/relu/dense=false", {
  input: "embedding",
  dim: 4,
  activation: "relu",
  denseFeatures: false,
}]);

for (const [name, over] of VARIANTS) {
  Deno.test(`reference gradients match central finite differences for every parameter (${name})`, () => {
    const cfg = smallConfig(over);
    const rng = new Rng(42);
    const f = randomFeatures(cfg, 7, rng);
    const set = randomSet(7, rng);
    const params = randomParams64(cfg, rng);
    const positions = [6, 2, 0, 4, 1, 5, 3];
    const margin = 0.3;
    const { loss, grads } = batchGradients(params, cfg, f, set, positions, margin);
    assert.ok(Math.abs(loss - batchLoss(params, cfg, f, set, positions, margin)) < 1e-12);
    const h = 1e-6;
    let checked = 0;
    for (const g of PARAM_GROUPS) {
      const theta = params[g];
      assert.equal(grads[g].length, theta.length, `gradient of ${g} has the parameter's size`);
      for (let i = 0; i < theta.length; i++) {
        const old = theta[i];
        theta[i] = old + h;
        const up = batchLoss(params, cfg, f, set, positions, margin);
        theta[i] = old - h;
        const down = batchLoss(params, cfg, f, set, positions, margin);
        theta[i] = old;
        const fd = (up - down) / (2 * h);
        const err = Math.abs(fd - grads[g][i]);
        assert.ok(
          err <= 1e-7 + 1e-5 * Math.abs(fd),
          `${g}[${i}]: analytic ${grads[g][i]} vs finite difference ${fd}`,
        );
        checked++;
      }
    }
    if (cfg.input === "bag") {
      assert.ok(grads.embedding.some((v) => v !== 0), "embedding rows receive gradient");
    } else {
      assert.equal(grads.embedding.length, 0);
    }
    assert.ok(checked > 50);
  });
}

Deno.test("reference gradient of an unused embedding row is exactly zero", () => {
  const cfg = smallConfig({ buckets: 40 });
  const rng = new Rng(3);
  const f = randomFeatures(cfg, 4, rng);
  const set = randomSet(4, rng);
  const params = randomParams64(cfg, rng);
  const { grads } = batchGradients(params, cfg, f, set, [0, 1, 2, 3], 0);
  const used = new Set([...f.promptIds, ...f.aIds, ...f.bIds]);
  for (let row = 0; row < cfg.buckets; row++) {
    if (used.has(row)) continue;
    for (let k = 0; k < cfg.dim; k++) assert.equal(grads.embedding[row * cfg.dim + k], 0);
  }
});

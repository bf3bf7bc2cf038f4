import assert from "node:assert/strict";
import { join } from "node:path";
import { pairBatch } from "../../src/data/schema.ts";
import { FeatureCache } from "../../src/model/feature_cache.ts";
import { DEFAULT_FEATURIZER } from "../../src/model/featurizer.ts";
import { featurizeBatch } from "../../src/model/id_columns.ts";
import { Featurizer } from "../../src/model/featurizer.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";

const rows = (k: number) =>
  Array.from({ length: 30 }, (_, i) => ({
    pair_id: `p${k}-${i}`,
    group_id: "g",
    prompt: `how do I bake bread number ${i} ${k}?`,
    response_a: i % 4 === 0 ? "" : `knead the dough ${i} times`,
    response_b: `buy it, batch ${k}`,
    label: null,
    split: "" as const,
    gold: null,
    source: "test",
  }));

async function withDir(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "serflow-feature-cache-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const SOURCE = { ...DEFAULT_MODEL, featurizer: DEFAULT_FEATURIZER };

Deno.test("featuresFromBatches() featurizes a batch once per cache folder and reads the same ids back", () =>
  withDir((dir) => {
    const batches = [pairBatch(rows(1)), pairBatch(rows(2))];
    const plain = featuresFromBatches(batches, SOURCE);
    const first = new FeatureCache(dir), second = new FeatureCache(dir);
    const a = featuresFromBatches(batches, { ...SOURCE, cache: first });
    const b = featuresFromBatches(batches, { ...SOURCE, cache: second });
    assert.deepEqual([first.hits, first.misses, second.hits, second.misses], [0, 2, 2, 0]);
    assert.deepEqual(a, plain);
    assert.deepEqual(b, plain);
    assert.equal([...Deno.readDirSync(dir)].length, 2);
  }));

Deno.test("the feature cache keys on the texts and the featurizer settings", () =>
  withDir((dir) => {
    const cache = new FeatureCache(dir), batch = pairBatch(rows(1));
    featuresFromBatches([batch], { ...SOURCE, cache });
    const bigrams = { ...DEFAULT_FEATURIZER, ngramMax: DEFAULT_FEATURIZER.ngramMax + 1 };
    const other = featuresFromBatches([batch], { ...SOURCE, featurizer: bigrams, cache });
    assert.deepEqual(other, featuresFromBatches([batch], { ...SOURCE, featurizer: bigrams }));
    const edited = rows(1);
    edited[7].response_b += "!";
    featuresFromBatches([pairBatch(edited)], { ...SOURCE, cache });
    assert.deepEqual([cache.hits, cache.misses], [0, 3]);
  }));

Deno.test("a truncated or foreign cache file is recomputed, not trusted", () =>
  withDir((dir) => {
    const batch = pairBatch(rows(3)), key = FeatureCache.key(batch, DEFAULT_FEATURIZER)!;
    const want = featurizeBatch(batch, new Featurizer(DEFAULT_FEATURIZER));
    for (const bytes of [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), new Uint8Array(0)]) {
      Deno.writeFileSync(join(dir, `${key}.ids`), bytes);
      const cache = new FeatureCache(dir);
      const got = featurizeBatch(batch, new Featurizer(DEFAULT_FEATURIZER), cache);
      assert.deepEqual([cache.hits, cache.misses], [0, 1]);
      for (const c of ["prompt_ids", "a_ids", "b_ids"]) {
        assert.deepEqual(
          got.getChild(c)!.toJSON().map(String),
          want.getChild(c)!.toJSON().map(String),
        );
      }
    }
    const cache = new FeatureCache(dir);
    featurizeBatch(batch, new Featurizer(DEFAULT_FEATURIZER), cache);
    assert.equal(cache.hits, 1);
  }));

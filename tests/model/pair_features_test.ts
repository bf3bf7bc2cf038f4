import assert from "node:assert/strict";
import { Field, FixedSizeList, Float32, makeData, makeVector } from "apache-arrow";
import { pairBatch, type PairRow, withColumns } from "../../src/data/schema.ts";
import { DEFAULT_FEATURIZER, Featurizer } from "../../src/model/featurizer.ts";
import { csrFromList, featurizeBatch, listFromCsr } from "../../src/model/id_columns.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import { verifyIdColumns } from "../../src/model/verify_ids.ts";

const row = (i: number): PairRow => ({
  pair_id: `p${i}`,
  group_id: "g",
  prompt: `How do I cook dish number ${i}?`,
  response_a: `Boil it for ${i} minutes.`,
  response_b: i % 2 ? "" : "No idea.",
  label: 1,
  split: "seed",
  gold: null,
  source: "test",
});
const FEAT = { ...DEFAULT_FEATURIZER, buckets: 5000 };

Deno.test("featurizeBatch() adds List<Uint32> id columns equal to featurizing each text", () => {
  const f = new Featurizer(FEAT);
  const b = featurizeBatch(pairBatch([row(1), row(2), row(3)]), f);
  assert.equal(String(b.schema.fields.find((x) => x.name === "a_ids")!.type), "List<Uint32>");
  const a = csrFromList(b.getChild("a_ids"));
  const want = new Featurizer(FEAT).featurizeTexts(
    [row(1), row(2), row(3)].map((r) => r.response_a),
    "response",
  );
  assert.deepEqual(a, want);
  const bb = csrFromList(b.getChild("b_ids"));
  assert.equal(bb.offsets[1] - bb.offsets[0], 0, "an empty response has an empty bag");
});

Deno.test("csrFromList() reads sliced and multi-chunk list columns", () => {
  const b = featurizeBatch(pairBatch([row(1), row(2), row(3), row(4)]), new Featurizer(FEAT));
  const all = csrFromList(b.getChild("prompt_ids"));
  const part = csrFromList(b.slice(1, 3).getChild("prompt_ids"));
  assert.deepEqual([...part.ids], [...all.ids.subarray(all.offsets[1], all.offsets[3])]);
  assert.equal(part.offsets[0], 0);
  const x = listFromCsr({ offsets: new Uint32Array([0, 2]), ids: new Uint32Array([7, 8]) });
  const y = listFromCsr({ offsets: new Uint32Array([0, 0, 1]), ids: new Uint32Array([9]) });
  const joined = makeVector(x).concat(makeVector(y));
  assert.deepEqual(csrFromList(joined), {
    offsets: new Uint32Array([0, 2, 2, 3]),
    ids: new Uint32Array([7, 8, 9]),
  });
});

Deno.test("featuresFromBatches() concatenates id columns and featurizes batches that lack them", () => {
  const f = new Featurizer(FEAT);
  const b1 = featurizeBatch(pairBatch([row(1), row(2)]), f);
  const b2 = pairBatch([row(3)]); // text only
  const got = featuresFromBatches([b1, b2], { input: "bag", dim: 8, featurizer: FEAT });
  const direct = featuresFromBatches([pairBatch([row(1), row(2), row(3)])], {
    input: "bag",
    dim: 8,
    featurizer: FEAT,
  });
  assert.equal(got.n, 3);
  assert.deepEqual(got, direct);
  assert.throws(
    () => featuresFromBatches([b2], { input: "bag", dim: 8 }),
    /batch 0 has no prompt_ids\/a_ids\/b_ids columns and no featurizer settings were given/,
  );
});

function embeddingColumn(values: number[], dim: number) {
  const child = makeData({
    type: new Float32(),
    length: values.length,
    data: Float32Array.from(values),
  });
  return makeData({
    type: new FixedSizeList(dim, new Field("item", new Float32(), false)),
    length: values.length / dim,
    child,
  });
}

Deno.test("featuresFromBatches() reads FixedSizeList<Float32> embedding columns for input: embedding", () => {
  const b = withColumns(pairBatch([row(1), row(2)]), {
    prompt_emb: embeddingColumn([1, 2, 3, 4], 2),
    a_emb: embeddingColumn([5, 6, 7, 8], 2),
    b_emb: embeddingColumn([9, 10, 11, 12], 2),
  });
  const f = featuresFromBatches([b, b.slice(1, 2)], { input: "embedding", dim: 2 });
  assert.equal(f.n, 3);
  assert.deepEqual([...f.promptEmb!], [1, 2, 3, 4, 3, 4]);
  assert.deepEqual([...f.bEmb!], [9, 10, 11, 12, 11, 12]);
  assert.equal(f.promptIds.length, 0);
  assert.throws(
    () => featuresFromBatches([b], { input: "embedding", dim: 3 }),
    /expected FixedSizeList<Float32> of model.dim \(3\)/,
  );
  assert.throws(
    () => featuresFromBatches([pairBatch([row(1)])], { input: "embedding", dim: 2 }),
    /batch 0 has no 'prompt_emb' column/,
  );
});

Deno.test("verifyIdColumns() refuses ids made with other featurizer settings", () => {
  const b = featurizeBatch(pairBatch([row(1), row(2)]), new Featurizer(FEAT));
  verifyIdColumns([b], FEAT, "stage 'train'");
  assert.throws(
    () => verifyIdColumns([b], { ...FEAT, ngramMax: 1 }, "stage 'train'"),
    /Cannot use the 'prompt_ids' column for stage 'train' as its token ids were made with other featurizer settings/,
  );
  assert.throws(
    () => verifyIdColumns([b], { ...FEAT, buckets: 4096 }, "x"),
    /token ids were made with other/,
  );
});

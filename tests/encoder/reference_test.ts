import assert from "node:assert/strict";
import { loadEncoder } from "../../src/encoder/load.ts";
import { erf, gelu } from "../../src/encoder/math.ts";
import { referenceEmbed } from "../../src/encoder/reference.ts";
import { reference, TINY_BERT, TINY_BERT_F16 } from "./_fixtures.ts";
import { assertClose } from "../gpu/_harness.ts";

for (const folder of [TINY_BERT, TINY_BERT_F16]) {
  const name = folder.includes("f16") ? "f16" : "f32";
  Deno.test(`reference forward matches transformers' pooled embeddings to 1e-4 (${name} weights)`, async () => {
    const enc = await loadEncoder(folder);
    const ref = await reference(folder);
    const seqs = ref.ids_truncated.map((ids) => Uint32Array.from(ids));
    for (
      const [pooling, normalize, key] of [
        ["mean", false, "mean"],
        ["cls", false, "cls"],
        ["mean", true, "mean_l2"],
      ] as const
    ) {
      const got = referenceEmbed(enc, seqs, { pooling, normalize });
      const want = ref.embeddings.flatMap((e) => e[key]);
      assertClose(got, want, `${name} ${key}`, 1e-4, 0);
    }
  });
}

Deno.test("erf matches tabulated values to 1e-15 and is odd", () => {
  const table: [number, number][] = [
    [0, 0],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [4, 0.9999999845827421],
  ];
  for (const [x, e] of table) {
    assert.ok(Math.abs(erf(x) - e) < 1e-15, `erf(${x}) = ${erf(x)}, expected ${e}`);
    assert.ok(erf(-x) === -erf(x), `erf(-${x}) != -erf(${x})`);
  }
  assert.ok(Math.abs(gelu(-3) - -0.00404969409489031) < 1e-14);
});

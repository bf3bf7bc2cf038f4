import assert from "node:assert/strict";
import { loadEncoder } from "../../src/encoder/load.ts";
import { referenceEmbed } from "../../src/encoder/reference.ts";
import { GpuEncoder } from "../../src/gpu/encoder_model.ts";
import { reference, TINY_BERT, TINY_BERT_F16 } from "../encoder/_fixtures.ts";
import { gpuTest } from "./_webgpu.ts";
import { assertClose } from "./_harness.ts";

for (const folder of [TINY_BERT, TINY_BERT_F16]) {
  const name = folder.includes("f16") ? "f16" : "f32";
  gpuTest(
    `GpuEncoder matches transformers' pooled embeddings to 1e-4 in padded length buckets (${name})`,
    async (gpu) => {
      const enc = await loadEncoder(folder);
      const ref = await reference(folder);
      const seqs = ref.ids_truncated.map((ids) => Uint32Array.from(ids));
      // 64 tokens per batch: several buckets of mixed lengths, each padded to its longest member.
      const model = await GpuEncoder.create(gpu, enc, { maxBatchTokens: 64 });
      try {
        for (
          const [pooling, normalize, key] of [
            ["mean", false, "mean"],
            ["cls", false, "cls"],
            ["mean", true, "mean_l2"],
          ] as const
        ) {
          const r = await model.embed(seqs, { pooling, normalize });
          assertClose(r.vectors, ref.embeddings.flatMap((e) => e[key]), `${name} ${key}`, 1e-4, 0);
          assert.equal(r.tokens, seqs.reduce((s, q) => s + q.length, 0));
          assert.ok(r.batches > 1 && r.paddedTokens >= r.tokens);
        }
      } finally {
        model.destroy();
      }
    },
  );
}

gpuTest("GpuEncoder agrees with the TypeScript reference on long random sequences", async (gpu) => {
  const enc = await loadEncoder(TINY_BERT);
  const lens = [64, 2, 33, 64, 17, 5, 40];
  let s = 11;
  const seqs = lens.map((n) =>
    Uint32Array.from(
      { length: n },
      () => (s = (s * 1103515245 + 12345) >>> 0) % enc.config.vocabSize,
    )
  );
  const model = await GpuEncoder.create(gpu, enc, { maxBatchTokens: 128 });
  try {
    const opts = { pooling: "mean", normalize: true } as const;
    const r = await model.embed(seqs, opts);
    assertClose(r.vectors, referenceEmbed(enc, seqs, opts), "vectors", 1e-5, 1e-3);
    await assert.rejects(
      () => model.embed([new Uint32Array(65)], opts),
      /Cannot embed sequence 0 of 65 tokens: the model takes 1 to 64/,
    );
  } finally {
    model.destroy();
  }
});

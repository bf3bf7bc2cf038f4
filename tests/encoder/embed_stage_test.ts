import assert from "node:assert/strict";
import { join } from "node:path";
import * as embed from "../../src/stages/embed.ts";
import { pairBatch } from "../../src/data/schema.ts";
import { loadEncoder } from "../../src/encoder/load.ts";
import { referenceEmbed } from "../../src/encoder/reference.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import { Pool } from "../../src/pool/pool.ts";
import type { Batch } from "../../src/contracts/types.ts";
import { modelContext, runStage } from "../model/_context.ts";
import { assertClose } from "../gpu/_harness.ts";
import { TINY_BERT } from "./_fixtures.ts";
import { TextEmbedder } from "../../src/gpu/text_embedder.ts";

const rows = (texts: string[][]) =>
  texts.map(([prompt, a, b], i) => ({
    pair_id: `p${i}`,
    group_id: `g${i}`,
    prompt,
    response_a: a,
    response_b: b,
    label: 1 as const,
    split: "seed" as const,
    gold: null,
    source: `t:${i}`,
  }));

/** A context whose resources are opened once per key and closed by `close()`. */
function context(runDir: string) {
  const ctx = modelContext(runDir, { stageId: "embed" });
  const open = new Map<string, Promise<unknown>>();
  const closers: (() => Promise<void> | void)[] = [];
  ctx.resources = {
    get<T>(key: string, make: () => Promise<T>, close?: (v: T) => Promise<void> | void) {
      if (!open.has(key)) {
        const p = make();
        open.set(key, p);
        p.then((v) => close && closers.push(() => close(v)));
      }
      return open.get(key) as Promise<T>;
    },
  };
  return {
    ctx,
    close: async () => {
      for (const c of closers) await c();
    },
  };
}

Deno.test("embed adds prompt_emb/a_emb/b_emb equal to the reference and the ser input reads them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { ctx, close } = context(dir);
    const texts = [
      ["How do I bake bread?", "Mix flour and water.", "I can't help with that."],
      ["How do I bake bread?", "Knead it well!", "Mix flour and water."],
      ["Café?", "", "学习 🤖"],
    ];
    const cfg = { model: TINY_BERT, backend: "cpu", cache: "run", max_tokens: 16 };
    const out = await runStage(embed, cfg, ctx, [
      pairBatch(rows(texts.slice(0, 2))),
      pairBatch(rows(texts.slice(2))),
    ]);
    const enc = await loadEncoder(TINY_BERT);
    const opts = { pooling: "mean", normalize: true } as const;
    const want = (col: number) =>
      referenceEmbed(enc, texts.map((t) => enc.tokenizer.encode(t[col], 16)), opts);
    // The reward model's embedding input path reads exactly these vectors.
    const f = featuresFromBatches(out as Batch[], { input: "embedding", dim: 32 });
    assertClose(f.promptEmb!, want(0), "prompt_emb", 1e-6, 0);
    assertClose(f.aEmb!, want(1), "a_emb", 1e-6, 0);
    assertClose(f.bEmb!, want(2), "b_emb", 1e-6, 0);
    assert.equal(
      out[0].schema.fields.find((x) => x.name === "a_emb")?.type.toString(),
      "FixedSizeList[32]<Float32>",
    );
    await close();
    // Each distinct text was stored once, under the encoder's key.
    const pool = await Pool.open(join(dir, "pool.duckdb"));
    const r = await pool.query(
      "SELECT count(*)::INT AS n, count(DISTINCT model_key)::INT AS k FROM embeddings",
    );
    assert.deepEqual(r.rows[0], [new Set(texts.flat()).size, 1]);
    await pool.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TextEmbedder embeds more texts than one chunk in input order, reporting progress", async () => {
  const noop = () => {};
  const log = { debug: noop, info: noop, warn: noop, error: noop };
  const e = await TextEmbedder.open(TINY_BERT, {
    pooling: "cls",
    normalize: false,
    maxTokens: 12,
    batchTokens: 1024,
    backend: "cpu",
    log,
  });
  try {
    const texts = Array.from(
      { length: 150 },
      (_, i) => `text number ${i} ${"word ".repeat(i % 9)}`,
    );
    const seen: number[] = [];
    const r = await e.embed(texts, (n) => seen.push(n));
    const seqs = texts.map((t) => e.encoder.tokenizer.encode(t, 12));
    assertClose(
      r.vectors,
      referenceEmbed(e.encoder, seqs, { pooling: "cls", normalize: false }),
      "v",
      1e-6,
      0,
    );
    assert.deepEqual(Array.from(r.tokens), seqs.map((s) => s.length));
    assert.deepEqual(seen, [64, 128, 150]);
  } finally {
    e.destroy();
  }
});

Deno.test("embed takes every text from the pool's cache on a re-run, with the same vectors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const texts = [["p one", "a one", "b one"], ["p two", "a two", "p one"]];
    const cfg = { model: TINY_BERT, backend: "cpu", cache: "shared.duckdb", max_tokens: 16 };
    const runOnce = async () => {
      const { ctx, close } = context(dir);
      const out = await runStage(embed, cfg, ctx, [pairBatch(rows(texts))]);
      await close();
      const done = ctx.logs.find((l) => l.msg === "embedded")!.fields!;
      return { out, done };
    };
    const first = await runOnce();
    assert.equal(first.done.embedded, 5);
    assert.equal(first.done.from_cache, 0);
    const second = await runOnce();
    assert.equal(second.done.embedded, 0);
    assert.equal(second.done.from_cache, 5);
    const f1 = featuresFromBatches(first.out, { input: "embedding", dim: 32 });
    const f2 = featuresFromBatches(second.out, { input: "embedding", dim: 32 });
    assert.deepEqual(f2.bEmb, f1.bEmb);
    assert.deepEqual(f2.promptEmb, f1.promptEmb);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("embed names the model folder when it holds no model", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { ctx } = context(dir);
    await assert.rejects(
      () =>
        runStage(embed, { model: dir, backend: "cpu", cache: "off" }, ctx, [
          pairBatch(rows([["p", "a", "b"]])),
        ]),
      /Cannot load encoder '.*' as it has no config.json: the folder must hold config.json, model.safetensors and tokenizer.json/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

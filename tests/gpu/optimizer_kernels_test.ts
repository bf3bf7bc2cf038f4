import { AdamDenseKernel } from "../../src/gpu/adam_dense.ts";
import { EmbeddingAdamKernel } from "../../src/gpu/embedding_adam.ts";
import { EmbeddingGradKernel } from "../../src/gpu/embedding_grad.ts";
import { GRAD_BLOCK } from "../../src/gpu/train_plan.ts";
import type { Rng } from "../../src/contracts/rng.ts";
import { ReduceStatsKernel } from "../../src/gpu/reduce_stats.ts";
import { adamwDense, adamwRows } from "../../src/model/adamw.ts";
import { DEFAULT_TRAIN } from "../../src/model/types.ts";
import { gpuTest } from "./_webgpu.ts";
import { assertClose, bufferOf, randoms, rngFor, run, sentinel } from "./_harness.ts";
import assert from "node:assert/strict";

const OPTS = { ...DEFAULT_TRAIN, lr: 0.05, weightDecay: 0.01 };

gpuTest(
  "adam_dense matches the reference AdamW, decaying W1 and w2 but not the biases",
  async (gpu) => {
    const hidden = 13, features = 11, t = 3, rng = rngFor("adam_dense");
    const w1 = hidden * features, count = w1 + 2 * hidden + 1;
    const theta = randoms(rng, count),
      m = randoms(rng, count, 0.1),
      v = randoms(rng, count, 0.1).map(Math.abs);
    const grad = randoms(rng, count, 0.5);
    grad[0] = 0, grad[1] = 1e-30, grad[2] = 1e4; // zero, tiny and large gradients
    const k = await AdamDenseKernel.load(gpu);
    const [tb, mb, vb] = [bufferOf(gpu, theta), bufferOf(gpu, m), bufferOf(gpu, v)];
    const out = await run(gpu, (arena, pass) => {
      k.record(pass, k.bind(arena, { grad: bufferOf(gpu, grad), theta: tb, m: mb, v: vb }), arena, {
        hidden,
        features,
      }, { ...OPTS, t });
    }, [tb, mb, vb]);
    const parts = [[0, w1, true], [w1, w1 + hidden, false], [w1 + hidden, w1 + 2 * hidden, true], [
      w1 + 2 * hidden,
      count,
      false,
    ]] as const;
    for (const [a, b, decay] of parts) {
      const th = theta.slice(a, b), mm = m.slice(a, b), vv = v.slice(a, b);
      adamwDense(th, grad.subarray(a, b), mm, vv, t, OPTS, decay);
      assertClose(out[0].subarray(a, b), th, `theta[${a}..${b})`, 1e-6);
      assertClose(out[1].subarray(a, b), mm, `m[${a}..${b})`, 1e-7);
      assertClose(out[2].subarray(a, b), vv, `v[${a}..${b})`, 1e-7);
    }
  },
);

/** Touched rows with their contributions; rows 171 and 250 are frequent and split into blocks. */
function touchedRows(rng: Rng, slots: number) {
  const touched = [0, 3, 4, 99, 169, 170, 171, 250, 299];
  const list: number[] = [], contribs: number[] = [], blocks: number[] = [];
  for (const row of touched) {
    const first = contribs.length, k = row === 171 ? 150 : row === 250 ? 70 : 1 + rng.int(4);
    contribs.push(...Array.from({ length: k }, () => rng.int(slots)).sort((a, b) => a - b));
    if (k <= GRAD_BLOCK) {
      list.push(row, first, contribs.length, 0);
      continue;
    }
    const b0 = blocks.length / 2;
    for (let c = first; c < contribs.length; c += GRAD_BLOCK) {
      blocks.push(c, Math.min(contribs.length, c + GRAD_BLOCK));
    }
    list.push(row, b0, blocks.length / 2, 1);
  }
  return { touched, list, contribs, blocks };
}

gpuTest("embedding_grad sums each block of a frequent row's contributions", async (gpu) => {
  const dim = 5, slots = 400, rng = rngFor("embedding_grad");
  const gtok = randoms(rng, slots * dim);
  const { contribs, blocks } = touchedRows(rng, slots);
  const nb = blocks.length / 2;
  const k = await EmbeddingGradKernel.load(gpu);
  const partial = sentinel(gpu, (nb + 1) * dim);
  const [out] = await run(gpu, (arena, pass) => {
    const g = k.bind(arena, {
      blocks: bufferOf(gpu, new Uint32Array(blocks)),
      contribs: bufferOf(gpu, new Uint32Array(contribs)),
      gtok: bufferOf(gpu, gtok),
      partial,
    });
    k.record(pass, g, arena, { count: nb - 1, dim, blockBase: 1 }); // all but block 0
  }, [partial]);
  const expected = new Float64Array(nb * dim);
  for (let b = 1; b < nb; b++) {
    for (let c = blocks[2 * b]; c < blocks[2 * b + 1]; c++) {
      for (let d = 0; d < dim; d++) expected[b * dim + d] += gtok[contribs[c] * dim + d];
    }
  }
  assert.equal(nb, 3 + 2);
  assert.ok(out.subarray(0, dim).every(Number.isNaN), "wrote block 0, outside the dispatch");
  assertClose(out.subarray(dim, nb * dim), expected.subarray(dim), "block sums");
  assert.ok(out.subarray(nb * dim).every(Number.isNaN), "wrote past the last block");
});

gpuTest(
  "embedding_grad + embedding_adam sum each touched row's gradient and apply lazy AdamW per chunk",
  async (gpu) => {
    const dim = 7, rows = 300, rowsPerChunk = 170, slots = 40, t = 5;
    const rng = rngFor("embedding_adam");
    const table = randoms(rng, rows * dim),
      m = randoms(rng, rows * dim, 0.01),
      v = randoms(rng, rows * dim, 0.01).map(Math.abs);
    const gtok = randoms(rng, slots * dim, 0.2);
    const { touched, list, contribs, blocks } = touchedRows(rng, slots);
    const ka = await EmbeddingAdamKernel.load(gpu), kg = await EmbeddingGradKernel.load(gpu);
    const chunk = (a: Float32Array, c: number) =>
      bufferOf(gpu, a.slice(c * rowsPerChunk * dim, Math.min(rows, (c + 1) * rowsPerChunk) * dim));
    const bufs = [0, 1].map((c) => ({ table: chunk(table, c), m: chunk(m, c), v: chunk(v, c) }));
    const lists = {
      rows: bufferOf(gpu, new Uint32Array(list)),
      contribs: bufferOf(gpu, new Uint32Array(contribs)),
      gtok: bufferOf(gpu, gtok),
      partial: sentinel(gpu, (blocks.length / 2) * dim),
    };
    const split = touched.findIndex((r) => r >= rowsPerChunk);
    // (count, first entry) per chunk, as the host planner uploads them.
    const ranges = bufferOf(gpu, new Uint32Array([split, 0, touched.length - split, split]));
    const out = await run(gpu, (arena, pass) => {
      const gb = kg.bind(arena, { ...lists, blocks: bufferOf(gpu, new Uint32Array(blocks)) });
      kg.record(pass, gb, arena, { count: blocks.length / 2, dim, blockBase: 0 });
      bufs.forEach((b, c) => {
        const count = c === 0 ? split : touched.length - split;
        const shape = { count, dim, range: c, chunkStart: c * rowsPerChunk };
        ka.record(pass, ka.bind(arena, { ...lists, ...b, ranges }), arena, shape, { ...OPTS, t });
      });
    }, bufs.flatMap((b) => [b.table, b.m, b.v]));
    const grad = new Float64Array(touched.length * dim);
    let first = 0;
    touched.forEach((row, s) => {
      const k = row === 171 ? 150 : row === 250 ? 70 : list[4 * s + 2] - list[4 * s + 1];
      for (let c = first; c < first + k; c++) {
        for (let d = 0; d < dim; d++) grad[s * dim + d] += gtok[contribs[c] * dim + d];
      }
      first += k;
    });
    const [et, em, ev] = [table.slice(), m.slice(), v.slice()];
    adamwRows(et, em, ev, dim, new Int32Array(touched), touched.length, grad, t, OPTS);
    const join = (a: Float32Array, b: Float32Array) => {
      const j = new Float32Array(rows * dim);
      j.set(a.subarray(0, rowsPerChunk * dim));
      j.set(b.subarray(0, (rows - rowsPerChunk) * dim), rowsPerChunk * dim);
      return j;
    };
    assertClose(join(out[0], out[3]), et, "table", 1e-6);
    assertClose(join(out[1], out[4]), em, "m", 1e-7);
    assertClose(join(out[2], out[5]), ev, "v", 1e-8);
    const gpuTable = join(out[0], out[3]);
    for (let r = 0; r < rows; r++) {
      if (touched.includes(r)) continue;
      for (let d = 0; d < dim; d++) {
        assert.equal(gpuTable[r * dim + d], table[r * dim + d], `untouched row ${r} changed`);
      }
    }
  },
);

gpuTest(
  "reduce_stats sums 1,000 (loss, correct) pairs and accumulates into the totals",
  async (gpu) => {
    const n = 1000, rng = rngFor("reduce"), stats = new Float32Array(2 * n);
    let loss = 0, right = 0;
    for (let i = 0; i < n; i++) {
      stats[2 * i] = rng.next() * 3, stats[2 * i + 1] = rng.next() < 0.6 ? 1 : 0;
      loss += stats[2 * i], right += stats[2 * i + 1];
    }
    const k = await ReduceStatsKernel.load(gpu);
    const totals = sentinel(gpu, 2), sb = bufferOf(gpu, stats);
    const [once] = await run(
      gpu,
      (arena, pass) => k.record(pass, k.bind(arena, { stats: sb, totals }), arena, n, false),
      [totals],
    );
    assertClose(once, [loss, right], "totals", 0, 1e-6);
    const [twice] = await run(
      gpu,
      (arena, pass) => k.record(pass, k.bind(arena, { stats: sb, totals }), arena, 10, true),
      [totals],
    );
    let head = 0, headRight = 0;
    for (let i = 0; i < 10; i++) {
      head += stats[2 * i], headRight += stats[2 * i + 1];
    }
    assertClose(twice, [loss + head, right + headRight], "accumulated totals", 0, 1e-6);
  },
);

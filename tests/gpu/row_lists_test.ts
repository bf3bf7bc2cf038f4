import { readBack } from "../../src/gpu/buffers.ts";
import type { GpuContext } from "../../src/gpu/device.ts";
import { UniformArena } from "../../src/gpu/kernel.ts";
import { PrefixScan, scanSpace } from "../../src/gpu/prefix_scan.ts";
import { RadixSort, radixSortSize } from "../../src/gpu/radix_sort.ts";
import { GpuFeatures } from "../../src/gpu/gpu_features.ts";
import { GpuRowLists, RowListKernels } from "../../src/gpu/row_lists.ts";
import { TrainPlanner } from "../../src/gpu/train_plan.ts";
import { ROW_WORDS } from "../../src/gpu/step_rows.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { bufferOf, rngFor } from "./_harness.ts";
import { randomPairs, randomSet, withHotToken } from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

/** Records with an arena of `slots` params, submits, and reads `outputs` back as u32. */
async function runU32(
  gpu: GpuContext,
  slots: number,
  record: (arena: UniformArena, pass: GPUComputePassEncoder) => void,
  outputs: GPUBuffer[],
): Promise<Uint32Array[]> {
  const arena = new UniformArena(gpu);
  arena.reset(slots);
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  record(arena, pass);
  pass.end();
  arena.upload();
  const out = await readBack(gpu, outputs.map((buffer) => ({ buffer })), encoder);
  arena.destroy();
  return out.map((f) => new Uint32Array(f.buffer, f.byteOffset, f.length));
}

gpuTest("the prefix scan equals a running sum over 1, 2 and 3 levels of tiles", async (gpu) => {
  const rng = rngFor("scan"), scan = await PrefixScan.load(gpu);
  for (const n of [1, 1000, 5000, 1_100_000]) {
    const counts = Uint32Array.from({ length: n }, () => rng.int(5));
    const base = 3, data = new Uint32Array(base + scanSpace(n)).fill(0xffffffff);
    data.set(counts, base);
    const buffer = bufferOf(gpu, data);
    const [out] = await runU32(gpu, 16, (arena, pass) => {
      scan.record(pass, scan.bind(arena, buffer), arena, n, base);
    }, [buffer]);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (out[base + i] !== sum) {
        assert.fail(`n = ${n}: entry ${i} is ${out[base + i]}, not ${sum}`);
      }
      sum += counts[i];
    }
    assert.equal(out[0], 0xffffffff, "wrote before the base");
    if (n <= 1024) assert.equal(out[base + n], sum, "the total follows the entries");
    buffer.destroy();
  }
});

gpuTest(
  "the radix sort equals a stable sort (duplicate keys keep their order), odd and even passes",
  async (gpu) => {
    const rng = rngFor("radix"), sort = await RadixSort.load(gpu);
    for (const [n, bound] of [[2500, 5000], [3001, 262144], [700, 3], [1, 16]]) {
      // Many duplicates: a third of the keys come from 20 values.
      const keys = Uint32Array.from(
        { length: n },
        () => rng.next() < 0.3 ? Math.min(bound - 1, rng.int(20)) : rng.int(bound),
      );
      const vals = Uint32Array.from({ length: n }, (_, i) => i);
      const size = radixSortSize(n, bound);
      const b = {
        keys: [bufferOf(gpu, keys), bufferOf(gpu, new Uint32Array(n))] as [GPUBuffer, GPUBuffer],
        vals: [bufferOf(gpu, vals), bufferOf(gpu, new Uint32Array(n))] as [GPUBuffer, GPUBuffer],
        data: bufferOf(gpu, new Uint32Array(size.entries)),
      };
      let which = 0;
      const out = await runU32(gpu, size.slots, (arena, pass) => {
        which = sort.record(pass, sort.bind(arena, b), arena, n, bound, 0);
      }, [...b.keys, ...b.vals]);
      const order = [...vals].sort((x, y) => keys[x] - keys[y] || x - y);
      assert.deepEqual(
        [...out[2 + which].subarray(0, n)],
        order,
        `n ${n}, keys < ${bound}: values`,
      );
      assert.deepEqual(
        [...out[which].subarray(0, n)],
        order.map((i) => keys[i]),
        `n ${n}, keys < ${bound}: keys`,
      );
      for (const x of [...b.keys, ...b.vals, b.data]) x.destroy();
    }
  },
);

/** The host planner's blocked rows resolved to contribution ranges, so both lists compare. */
function resolved(rows: Uint32Array, blocks: Uint32Array, u: number): number[][] {
  const out = [];
  for (let j = 0; j < u; j++) {
    const e = ROW_WORDS * j, [row, first, end, blocked] = rows.subarray(e, e + 4);
    if (blocked === 0) {
      out.push([row, first, end, 0]);
      continue;
    }
    const spans = [];
    for (let b = first; b < end; b++) spans.push(blocks[2 * b], blocks[2 * b + 1]);
    out.push([row, spans[0], spans[spans.length - 1], end - first, ...spans]);
  }
  return out;
}

gpuTest(
  "lists built on the GPU equal the host planner's: rows, contributions, blocks and chunk ranges",
  async (gpu) => {
    // 3 table chunks of 700 rows; a frequent token (blocked rows), empty bags, repeated ids, ids
    // spanning the whole table.
    const cfg = { ...DEFAULT_MODEL, buckets: 2100, dim: 3, hidden: 4 };
    const rng = rngFor("row lists"), rowsPerChunk = 700, chunks = 3;
    const f = withHotToken(randomPairs(rng, 90, cfg.buckets, 30), 701, 2);
    const set = randomSet(rng, f.n), order = rng.shuffle(set.indices.slice());
    const host = [...new TrainPlanner(f, cfg, rowsPerChunk, 1 << 22).segments(set, order, 40, 0)];
    const features = new GpuFeatures(gpu, f, cfg);
    const kernels = await RowListKernels.load(gpu);
    const lists = new GpuRowLists(gpu, cfg, chunks, rowsPerChunk);
    try {
      for (const seg of host) {
        const pairs = bufferOf(gpu, seg.pairs);
        let pos = 0;
        for (const st of seg.steps) {
          const step = { pos: st.pos, n: st.n, tokens: st.contributions };
          let g: ReturnType<GpuRowLists["bind"]> | null = null;
          const out = await runU32(gpu, lists.slots(step), (arena, pass) => {
            g = lists.bind(
              kernels,
              arena,
              {
                pairs,
                offsets: features.offsets,
                ids: features.ids,
                pairsTotal: f.n,
              },
              st.n,
              step.tokens,
            );
            lists.record(kernels, pass, g, arena, step, f.n);
          }, []);
          assert.equal(out.length, 0);
          const gg = g!;
          const [rows, contribs, blocks, ranges, args, counts] = await readBack(gpu, [
            { buffer: gg.rowsBuffer },
            { buffer: gg.contribs },
            { buffer: gg.blocks },
            { buffer: gg.rangesBuffer },
            { buffer: gg.args },
            { buffer: lists.lists },
          ]).then((r) => r.map((x) => new Uint32Array(x.buffer, x.byteOffset, x.length)));
          const u = counts[0];
          assert.equal(u, st.touched, "touched rows");
          const c0 = seg.steps[0] === st ? 0 : pos;
          assert.deepEqual(
            [...contribs.subarray(0, st.contributions)],
            [...seg.contribs.subarray(c0, c0 + st.contributions)],
            "contributions (sorted slots)",
          );
          // Host lists are segment-global: shift its entries to the step's.
          const base = st.chunks[0]?.rowBase ?? 0;
          const hostRows = resolved(seg.rows, seg.blocks, seg.rows.length / ROW_WORDS)
            .slice(base, base + u).map((r) =>
              r[3] === 0 ? [r[0], r[1] - c0, r[2] - c0, 0] : [
                r[0],
                r[1] - c0,
                r[2] - c0,
                r[3],
                ...r.slice(4).map((x) => x - c0),
              ]
            );
          assert.deepEqual(resolved(rows, blocks, u), hostRows, "touched rows and blocks");
          assert.ok(hostRows.some((r) => r[3] > 1) === st.blocks.count > 0);
          for (let c = 0; c < chunks; c++) {
            const r = st.chunks.find((x) => x.chunk === c);
            assert.deepEqual([ranges[2 * c], r ? ranges[2 * c + 1] : 0], [
              r?.count ?? 0,
              r ? r.rowBase - base : 0,
            ]);
            assert.equal(args[3 * c] * args[3 * c + 1] * 64 >= (r?.count ?? 0) * cfg.dim, true);
            assert.equal(args[3 * c] === 0, !r);
          }
          pos += st.contributions;
        }
        pairs.destroy();
      }
    } finally {
      features.destroy();
      lists.destroy();
    }
  },
);

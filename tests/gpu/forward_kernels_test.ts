import { EmbeddingBagKernel } from "../../src/gpu/embedding_bag.ts";
import { MlpForwardKernel } from "../../src/gpu/mlp_forward.ts";
import { activate } from "../../src/model/math.ts";
import { gpuTest } from "./_webgpu.ts";
import { assertClose, bufferOf, randoms, rngFor, run, sentinel } from "./_harness.ts";
import assert from "node:assert/strict";

const DIM = 5;
const STRIDE = 3 * DIM + 3;

/** Random CSR bags over `buckets` rows (sizes 0..6, duplicates and the edge rows included). */
function randomBags(name: string, n: number, buckets: number) {
  const rng = rngFor(name);
  const offsets = new Uint32Array(3 * (n + 1));
  const ids: number[] = [];
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < n; i++) {
      offsets[k * (n + 1) + i] = ids.length;
      const size = i % 7 === 3 ? 0 : rng.int(7);
      for (let t = 0; t < size; t++) {
        const r = rng.next();
        ids.push(
          r < 0.1
            ? 0
            : r < 0.2
            ? buckets - 1
            : r < 0.3 && t > 0
            ? ids[ids.length - 1]
            : rng.int(buckets),
        );
      }
    }
    offsets[k * (n + 1) + n] = ids.length;
  }
  return { offsets, ids: new Uint32Array(ids), rng };
}

for (const [pooling, DIM] of [["mean", 5], ["sqrtn", 5], ["mean", 8], ["sqrtn", 12]] as const) {
  const STRIDE = 3 * DIM + 3, variant = DIM % 4 === 0 ? "vec4 " : "";
  gpuTest(
    `embedding_bag ${variant}${pooling}-pools 29 slots of width ${DIM} from a table split in 3 chunks like a plain loop`,
    async (gpu) => {
      const n = 41, buckets = 1000, rowsPerChunk = 400, slots = 29, pairBase = 3;
      const { offsets, ids, rng } = randomBags(`bag ${pooling}`, n, buckets);
      const table = randoms(rng, buckets * DIM, 2);
      table[7] = 1e30; // extreme but finite values pass through
      const pairs = Uint32Array.from({ length: pairBase + slots }, () => rng.int(n));
      const k = await EmbeddingBagKernel.load(gpu, DIM);
      assert.equal(k.vec4, DIM % 4 === 0);
      const chunks = [0, 1, 2].map((c) =>
        bufferOf(
          gpu,
          table.subarray(c * rowsPerChunk * DIM, Math.min(buckets, (c + 1) * rowsPerChunk) * DIM),
        )
      );
      const pooled = sentinel(gpu, slots * STRIDE + 7);
      const [out] = await run(gpu, (arena, pass) => {
        const g = k.bind(arena, {
          pairs: bufferOf(gpu, pairs),
          offsets: bufferOf(gpu, offsets),
          ids: bufferOf(gpu, ids),
          tables: chunks,
          pooled,
        });
        k.record(pass, g, arena, {
          n: slots,
          dim: DIM,
          pairBase,
          pairsTotal: n,
          rowsPerChunk,
          stride: STRIDE,
          pooling,
          direct: false,
        });
      }, [pooled]);
      const expected = new Float64Array(slots * STRIDE);
      for (let i = 0; i < slots; i++) {
        for (let b = 0; b < 3; b++) {
          const pair = pairs[pairBase + i],
            s = offsets[b * (n + 1) + pair],
            e = offsets[b * (n + 1) + pair + 1];
          const c = Math.max(e - s, 1), scale = pooling === "mean" ? 1 / c : 1 / Math.sqrt(c);
          for (let d = 0; d < DIM; d++) {
            let sum = 0;
            for (let t = s; t < e; t++) sum += table[ids[t] * DIM + d];
            expected[i * STRIDE + b * DIM + d] = sum * scale;
          }
          expected[i * STRIDE + 3 * DIM + b] = e - s;
        }
      }
      assertClose(out, expected, "pooled");
      for (let j = slots * STRIDE; j < slots * STRIDE + 7; j++) {
        assert.ok(Number.isNaN(out[j]), `wrote past the output at ${j}`);
      }
    },
  );
}

gpuTest(
  "embedding_bag propagates a NaN table row into exactly the bags that hold it",
  async (gpu) => {
    const n = 20, buckets = 64, { offsets, ids, rng } = randomBags("bag nan", n, buckets);
    const table = randoms(rng, buckets * DIM);
    table[0 * DIM + 2] = NaN; // row 0 (in many bags), element 2
    const k = await EmbeddingBagKernel.load(gpu);
    const pooled = sentinel(gpu, n * STRIDE, -12345);
    const pairs = Uint32Array.from({ length: n }, (_, i) => i);
    const [out] = await run(gpu, (arena, pass) => {
      const g = k.bind(arena, {
        pairs: bufferOf(gpu, pairs),
        offsets: bufferOf(gpu, offsets),
        ids: bufferOf(gpu, ids),
        tables: [bufferOf(gpu, table)],
        pooled,
      });
      const shape = {
        n,
        dim: DIM,
        pairBase: 0,
        pairsTotal: n,
        rowsPerChunk: buckets,
        stride: STRIDE,
      };
      k.record(pass, g, arena, { ...shape, pooling: "mean", direct: false });
    }, [pooled]);
    let bagsWithRow0 = 0;
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < 3; b++) {
        const s = offsets[b * (n + 1) + i], e = offsets[b * (n + 1) + i + 1];
        const has = ids.subarray(s, e).includes(0);
        bagsWithRow0 += has ? 1 : 0;
        for (let d = 0; d < DIM; d++) {
          const v = out[i * STRIDE + b * DIM + d];
          assert.equal(Number.isNaN(v), has && d === 2, `pair ${i} bag ${b} element ${d} = ${v}`);
          assert.notEqual(v, -12345, `pair ${i} bag ${b} element ${d} not written`);
        }
      }
    }
    assert.ok(bagsWithRow0 > 0);
  },
);

gpuTest(
  "embedding_bag copies precomputed vectors (rows 3 pair + bag, 2 chunks) with zero counts",
  async (gpu) => {
    const n = 23, rng = rngFor("direct"), rowsPerChunk = 40;
    const vectors = randoms(rng, 3 * n * DIM);
    const pairs = Uint32Array.from({ length: n }, (_, i) => (i * 7) % n);
    const k = await EmbeddingBagKernel.load(gpu);
    const chunks = [
      bufferOf(gpu, vectors.subarray(0, rowsPerChunk * DIM)),
      bufferOf(gpu, vectors.subarray(rowsPerChunk * DIM)),
    ];
    const pooled = sentinel(gpu, n * STRIDE);
    const unused = bufferOf(gpu, new Uint32Array(1));
    const [out] = await run(gpu, (arena, pass) => {
      const g = k.bind(arena, {
        pairs: bufferOf(gpu, pairs),
        offsets: unused,
        ids: unused,
        tables: chunks,
        pooled,
      });
      k.record(pass, g, arena, {
        n,
        dim: DIM,
        pairBase: 0,
        pairsTotal: n,
        rowsPerChunk,
        stride: STRIDE,
        pooling: "sqrtn",
        direct: true,
      });
    }, [pooled]);
    const expected = new Float32Array(n * STRIDE);
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < 3; b++) {
        expected.set(
          vectors.subarray((3 * pairs[i] + b) * DIM, (3 * pairs[i] + b + 1) * DIM),
          i * STRIDE + b * DIM,
        );
      }
    }
    assert.deepEqual(out, expected);
  },
);

/** Expected z rows and rewards of pooled inputs, in float64. */
function mlpReference(
  pooled: Float32Array,
  theta: Float32Array,
  shape: { n: number; dim: number; hidden: number; features: number },
  act: "gelu" | "relu",
) {
  const { n, dim, hidden, features } = shape, stride = 3 * dim + 3;
  const z = new Float64Array(2 * n * hidden), r = new Float64Array(2 * n);
  const w2 = hidden * features + hidden;
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < 2; s++) {
      const x = new Float64Array(features), base = i * stride;
      for (let d = 0; d < dim; d++) {
        const p = pooled[base + d], q = pooled[base + (1 + s) * dim + d];
        x[d] = p, x[dim + d] = q, x[2 * dim + d] = p * q;
      }
      if (features > 3 * dim) {
        x[3 * dim] = Math.log1p(pooled[base + 3 * dim]),
          x[3 * dim + 1] = Math.log1p(pooled[base + 3 * dim + 1 + s]);
      }
      let rew = theta[w2 + hidden];
      for (let h = 0; h < hidden; h++) {
        let acc = theta[hidden * features + h];
        for (let f = 0; f < features; f++) acc += theta[h * features + f] * x[f];
        z[(2 * i + s) * hidden + h] = acc;
        rew += theta[w2 + h] * activate(acc, act);
      }
      r[2 * i + s] = rew;
    }
  }
  return { z, r };
}

// Sizes that are not multiples of the tiles: 8 pairs, 8 elements and 64 units per tile.
for (
  const [dense, act, n, dim, hidden] of [
    [true, "gelu", 37, 5, 19],
    [false, "relu", 21, 13, 70],
    [true, "gelu", 9, 16, 130],
  ] as const
) {
  gpuTest(
    `mlp_forward matches a plain loop on ${n} pairs, width ${dim}, ${hidden} units (${
      dense ? "dense features" : "no dense features"
    }, ${act})`,
    async (gpu) => {
      const features = 3 * dim + (dense ? 2 : 0), stride = 3 * dim + 3;
      const rng = rngFor(`mlp ${dense} ${dim}`);
      const pooled = randoms(rng, n * stride);
      for (let i = 0; i < n; i++) {
        for (let b = 0; b < 3; b++) pooled[i * stride + 3 * dim + b] = rng.int(50);
      }
      for (let d = 0; d < dim; d++) pooled[5 * stride + d] = 40, pooled[6 * stride + d] = -40; // |z| large
      const theta = randoms(rng, hidden * features + 2 * hidden + 1);
      const k = await MlpForwardKernel.load(gpu);
      const pb = bufferOf(gpu, pooled), tb = bufferOf(gpu, theta);
      const z = sentinel(gpu, 2 * n * hidden + 5),
        outBase = 3,
        rewards = sentinel(gpu, outBase + 2 * n + 5);
      const [zOut, rOut] = await run(gpu, (arena, pass) => {
        k.record(pass, k.bind(arena, { pooled: pb, theta: tb, z, rewards }), arena, {
          n,
          dim,
          hidden,
          features,
          stride,
          activation: act,
          outBase,
        });
      }, [z, rewards]);
      const ref = mlpReference(pooled, theta, { n, dim, hidden, features }, act);
      assertClose(zOut, ref.z, "z", 1e-4);
      assertClose(rOut.subarray(outBase), ref.r, "reward", 1e-4);
      assert.ok(rOut.subarray(0, outBase).every(Number.isNaN), "wrote before outBase");
      assert.ok(rOut.subarray(outBase + 2 * n).every(Number.isNaN), "wrote past the rewards");
      assert.ok(zOut.subarray(2 * n * hidden).every(Number.isNaN), "wrote past z");
    },
  );
}

gpuTest(
  "embedding_bag's vec4 and scalar variants give bit-identical pooled vectors (pooled and direct)",
  async (gpu) => {
    const dim = 8, stride = 3 * dim + 3, n = 31, buckets = 300;
    const { offsets, ids, rng } = randomBags("bag vec4", n, buckets);
    const table = randoms(rng, buckets * dim, 3);
    const pairs = Uint32Array.from({ length: n }, () => rng.int(n));
    const [scalar, vec4] = [
      await EmbeddingBagKernel.load(gpu),
      await EmbeddingBagKernel.load(gpu, dim),
    ];
    for (const direct of [false, true]) {
      const outs = [];
      for (const k of [scalar, vec4]) {
        const pooled = sentinel(gpu, n * stride);
        const [out] = await run(gpu, (arena, pass) => {
          const g = k.bind(arena, {
            pairs: bufferOf(gpu, pairs),
            offsets: bufferOf(gpu, offsets),
            ids: bufferOf(gpu, ids),
            tables: [
              bufferOf(gpu, table.subarray(0, 150 * dim)),
              bufferOf(gpu, table.subarray(150 * dim)),
            ],
            pooled,
          });
          k.record(pass, g, arena, {
            n,
            dim,
            pairBase: 0,
            pairsTotal: n,
            rowsPerChunk: 150,
            stride,
            pooling: "sqrtn",
            direct,
          });
        }, [pooled]);
        outs.push(out);
      }
      assert.ok(outs[0].every((v) => !Number.isNaN(v)), "an element was not written");
      assert.deepEqual(outs[1], outs[0], direct ? "direct" : "pooled");
    }
  },
);

import { LossGradKernel } from "../../src/gpu/loss_grad.ts";
import { GradReduceKernel } from "../../src/gpu/grad_reduce.ts";
import { PooledGradKernel } from "../../src/gpu/pooled_grad.ts";
import { splitK, WeightGradKernel } from "../../src/gpu/weight_grad.ts";
import { activate, activateGrad, pairLoss, pairLossGrad } from "../../src/model/math.ts";
import { gpuTest } from "./_webgpu.ts";
import type { GpuContext } from "../../src/gpu/device.ts";
import { assertClose, bufferOf, randoms, rngFor, run, sentinel } from "./_harness.ts";
import assert from "node:assert/strict";

const DIM = 6, HIDDEN = 21, STRIDE = 3 * DIM + 3;

gpuTest(
  "loss_grad gives the reference loss, dL/dr and dL/dz for 45 pairs incl. extreme rewards",
  async (gpu) => {
    const n = 45, features = 3 * DIM + 2, posBase = 4, margin = 0.25, rng = rngFor("loss_grad");
    const rewards = randoms(rng, 2 * n, 3);
    rewards[0] = 80, rewards[1] = -80, rewards[2] = -90, rewards[3] = 95; // saturated sigmoid / softplus
    const z = randoms(rng, 2 * n * HIDDEN, 4);
    z[5] = 30, z[6] = -30; // saturated GELU
    const theta = randoms(rng, HIDDEN * features + 2 * HIDDEN + 1);
    const targets = new Float32Array(2 * (posBase + n)).fill(NaN);
    for (let i = 0; i < n; i++) {
      targets[2 * (posBase + i)] = rng.next() < 0.5 ? 1 : -1,
        targets[2 * (posBase + i) + 1] = 0.5 + rng.next();
    }
    for (const act of ["gelu", "relu"] as const) {
      const k = await LossGradKernel.load(gpu);
      const gz = sentinel(gpu, 2 * n * HIDDEN),
        gr = sentinel(gpu, 2 * n),
        stats = sentinel(gpu, 2 * (posBase + n));
      const [gzOut, grOut, statsOut] = await run(gpu, (arena, pass) => {
        const g = k.bind(arena, {
          rewards: bufferOf(gpu, rewards),
          z: bufferOf(gpu, z),
          theta: bufferOf(gpu, theta),
          targets: bufferOf(gpu, targets),
          gz,
          gr,
          stats,
        });
        k.record(pass, g, arena, { n, hidden: HIDDEN, features, activation: act, posBase, margin });
      }, [gz, gr, stats]);
      const eGz = new Float64Array(2 * n * HIDDEN),
        eGr = new Float64Array(2 * n),
        eStats = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const y = targets[2 * (posBase + i)],
          w = targets[2 * (posBase + i) + 1],
          ra = rewards[2 * i],
          rb = rewards[2 * i + 1];
        const gd = pairLossGrad(ra, rb, y, w, margin) / n;
        eGr[2 * i] = gd, eGr[2 * i + 1] = -gd;
        eStats[2 * i] = pairLoss(ra, rb, y, w, margin),
          eStats[2 * i + 1] = y * (ra - rb) > 0 ? 1 : 0;
        for (let s = 0; s < 2; s++) {
          for (let h = 0; h < HIDDEN; h++) {
            const at = (2 * i + s) * HIDDEN + h;
            eGz[at] = eGr[2 * i + s] * theta[HIDDEN * features + HIDDEN + h] *
              activateGrad(z[at], act);
          }
        }
      }
      assertClose(gzOut, eGz, `gz (${act})`, 1e-6);
      assertClose(grOut, eGr, `gr (${act})`, 1e-7);
      assertClose(statsOut.subarray(2 * posBase), eStats, `stats (${act})`, 1e-5, 1e-5);
      assert.ok(
        statsOut.subarray(0, 2 * posBase).every(Number.isNaN),
        "wrote stats before posBase",
      );
    }
  },
);

/** Random pooled vectors with integer bag counts. */
function randomPooled(name: string, n: number) {
  const rng = rngFor(name), pooled = randoms(rng, n * STRIDE);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 3; b++) pooled[i * STRIDE + 3 * DIM + b] = rng.int(30);
  }
  return { rng, pooled };
}

// 150 and 53 pairs: 3 and 1 chunks of 64 (the last one short); 21 units and 6 elements: tiles of 8
// with remainders.
for (const [dense, act, n] of [[true, "gelu", 150], [false, "relu", 53]] as const) {
  gpuTest(
    `weight_grad + grad_reduce give the whole dense gradient of ${n} pairs (${
      dense ? "dense features" : "no dense features"
    }, ${act}); b2's is exactly 0`,
    async (gpu) => {
      const features = 3 * DIM + (dense ? 2 : 0), { rng, pooled } = randomPooled(`wg ${n}`, n);
      const gz = randoms(rng, 2 * n * HIDDEN, 0.1), z = randoms(rng, 2 * n * HIDDEN, 3);
      const gr = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        gr[2 * i] = (2 * rng.next() - 1) * 1e-3, gr[2 * i + 1] = -gr[2 * i];
      }
      const [wk, rk] = [await WeightGradKernel.load(gpu), await GradReduceKernel.load(gpu)];
      const shape = { n, dim: DIM, hidden: HIDDEN, features, stride: STRIDE, activation: act };
      const split = splitK(shape, gpu.maxBindingBytes);
      assert.equal(split.chunks, Math.ceil(n / 64));
      const count = HIDDEN * features + 2 * HIDDEN + 1;
      const partial = sentinel(gpu, split.chunks * count), grad = sentinel(gpu, count + 3);
      const [out] = await run(gpu, (arena, pass) => {
        const g = wk.bind(arena, {
          pooled: bufferOf(gpu, pooled),
          gz: bufferOf(gpu, gz),
          z: bufferOf(gpu, z),
          gr: bufferOf(gpu, gr),
          partial,
        });
        wk.record(pass, g, arena, shape, split);
        rk.record(pass, rk.bind(arena, { partial, grad }), arena, split);
      }, [grad]);
      const expected = new Float64Array(count);
      const w1 = HIDDEN * features;
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < 2; s++) {
          const base = i * STRIDE, x = new Float64Array(features), r = 2 * i + s;
          for (let d = 0; d < DIM; d++) {
            const p = pooled[base + d], q = pooled[base + (1 + s) * DIM + d];
            x[d] = p, x[DIM + d] = q, x[2 * DIM + d] = p * q;
          }
          if (dense) {
            x[3 * DIM] = Math.log1p(pooled[base + 3 * DIM]),
              x[3 * DIM + 1] = Math.log1p(pooled[base + 3 * DIM + 1 + s]);
          }
          for (let h = 0; h < HIDDEN; h++) {
            const g = gz[r * HIDDEN + h];
            for (let f = 0; f < features; f++) expected[h * features + f] += g * x[f];
            expected[w1 + h] += g;
            expected[w1 + HIDDEN + h] += gr[r] * activate(z[r * HIDDEN + h], act);
          }
        }
      }
      assertClose(out.subarray(0, w1), expected.subarray(0, w1), "dW1");
      assertClose(out.subarray(w1, w1 + HIDDEN), expected.subarray(w1, w1 + HIDDEN), "db1", 1e-6);
      assertClose(
        out.subarray(w1 + HIDDEN, count - 1),
        expected.subarray(w1 + HIDDEN, count - 1),
        "dw2",
        1e-6,
      );
      assert.equal(out[count - 1], 0, "db2: responses a and b cancel exactly");
      assert.ok(out.subarray(count).every(Number.isNaN), "wrote past the gradient");
    },
  );
}

/** pooled_grad against the reference for one shape (tiles cut at n, dim and hidden). */
async function checkPooledGrad(
  gpu: GpuContext,
  name: string,
  n: number,
  dim: number,
  hidden: number,
  pooling: "mean" | "sqrtn",
): Promise<void> {
  const stride = 3 * dim + 3, features = 3 * dim + 2, rng = rngFor(name);
  const pooled = randoms(rng, n * stride);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 3; b++) pooled[i * stride + 3 * dim + b] = rng.int(30);
  }
  pooled[3 * dim] = 0; // an empty prompt bag: scale 1
  const gz = randoms(rng, 2 * n * hidden, 0.1),
    theta = randoms(rng, hidden * features + 2 * hidden + 1);
  const k = await PooledGradKernel.load(gpu);
  const gtok = sentinel(gpu, 3 * n * dim);
  const [out] = await run(gpu, (arena, pass) => {
    const g = k.bind(arena, {
      pooled: bufferOf(gpu, pooled),
      gz: bufferOf(gpu, gz),
      theta: bufferOf(gpu, theta),
      gtok,
    });
    k.record(pass, g, arena, { n, dim, hidden, features, stride, pooling });
  }, [gtok]);
  const expected = new Float64Array(3 * n * dim);
  for (let i = 0; i < n; i++) {
    const dx = [0, 1].map((s) => {
      const g = new Float64Array(features);
      for (let h = 0; h < hidden; h++) {
        for (let f = 0; f < features; f++) {
          g[f] += theta[h * features + f] * gz[(2 * i + s) * hidden + h];
        }
      }
      return g;
    });
    const scale = (b: number) => {
      const c = Math.max(1, pooled[i * stride + 3 * dim + b]);
      return pooling === "mean" ? 1 / c : 1 / Math.sqrt(c);
    };
    for (let d = 0; d < dim; d++) {
      const p = pooled[i * stride + d],
        qa = pooled[i * stride + dim + d],
        qb = pooled[i * stride + 2 * dim + d];
      const dp = dx[0][d] + dx[0][2 * dim + d] * qa + dx[1][d] + dx[1][2 * dim + d] * qb;
      expected[3 * i * dim + d] = dp * scale(0);
      expected[(3 * i + 1) * dim + d] = (dx[0][dim + d] + dx[0][2 * dim + d] * p) * scale(1);
      expected[(3 * i + 2) * dim + d] = (dx[1][dim + d] + dx[1][2 * dim + d] * p) * scale(2);
    }
  }
  assertClose(out, expected, `per-token gradient (${name})`, 1e-6);
}

for (const pooling of ["mean", "sqrtn"] as const) {
  gpuTest(
    `pooled_grad gives each token its bag's scaled gradient (${pooling}, 33 pairs, empty bags)`,
    (gpu) => checkPooledGrad(gpu, `pg ${pooling}`, 33, DIM, HIDDEN, pooling),
  );
}

gpuTest(
  "pooled_grad matches the reference on wider shapes: 70 pairs, dim 13, 77 hidden units",
  async (gpu) => {
    await checkPooledGrad(gpu, "pg edges", 70, 13, 77, "sqrtn");
    await checkPooledGrad(gpu, "pg one tile", 8, 8, 32, "mean");
  },
);

import { LossGradKernel } from "../../src/gpu/loss_grad.ts";
import { OutputGradKernel } from "../../src/gpu/output_grad.ts";
import { PooledGradKernel } from "../../src/gpu/pooled_grad.ts";
import { WeightGradKernel } from "../../src/gpu/weight_grad.ts";
import { activate, activateGrad, pairLoss, pairLossGrad } from "../../src/model/math.ts";
import { gpuTest } from "./_webgpu.ts";
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

gpuTest(
  "weight_grad sums dL/dz x^T over 2 x 53 rows, writing exactly the W1 part of the gradient",
  async (gpu) => {
    for (const dense of [true, false]) {
      const n = 53,
        features = 3 * DIM + (dense ? 2 : 0),
        { rng, pooled } = randomPooled(`wg ${dense}`, n);
      const gz = randoms(rng, 2 * n * HIDDEN, 0.1);
      const k = await WeightGradKernel.load(gpu);
      const grad = sentinel(gpu, HIDDEN * features + 2 * HIDDEN + 1);
      const [out] = await run(gpu, (arena, pass) => {
        k.record(
          pass,
          k.bind(arena, { pooled: bufferOf(gpu, pooled), gz: bufferOf(gpu, gz), grad }),
          arena,
          { n, dim: DIM, hidden: HIDDEN, features, stride: STRIDE },
        );
      }, [grad]);
      const expected = new Float64Array(HIDDEN * features);
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < 2; s++) {
          const base = i * STRIDE, x = new Float64Array(features);
          for (let d = 0; d < DIM; d++) {
            const p = pooled[base + d], q = pooled[base + (1 + s) * DIM + d];
            x[d] = p, x[DIM + d] = q, x[2 * DIM + d] = p * q;
          }
          if (dense) {
            x[3 * DIM] = Math.log1p(pooled[base + 3 * DIM]),
              x[3 * DIM + 1] = Math.log1p(pooled[base + 3 * DIM + 1 + s]);
          }
          for (let h = 0; h < HIDDEN; h++) {
            for (let f = 0; f < features; f++) {
              expected[h * features + f] += gz[(2 * i + s) * HIDDEN + h] * x[f];
            }
          }
        }
      }
      assertClose(out, expected, `dW1 (dense ${dense})`);
      assert.ok(out.subarray(HIDDEN * features).every(Number.isNaN), "wrote outside W1's part");
    }
  },
);

gpuTest(
  "output_grad gives b1, w2 and b2 gradients; b2's is exactly 0 as responses a and b cancel",
  async (gpu) => {
    const n = 150, features = 3 * DIM + 2, rng = rngFor("output_grad");
    const z = randoms(rng, 2 * n * HIDDEN, 3), gz = randoms(rng, 2 * n * HIDDEN, 0.01);
    const gr = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) gr[2 * i] = (2 * rng.next() - 1) * 1e-3, gr[2 * i + 1] = -gr[2 * i];
    const k = await OutputGradKernel.load(gpu);
    const w1 = HIDDEN * features, grad = sentinel(gpu, w1 + 2 * HIDDEN + 1);
    const [out] = await run(gpu, (arena, pass) => {
      const g = k.bind(arena, {
        z: bufferOf(gpu, z),
        gz: bufferOf(gpu, gz),
        gr: bufferOf(gpu, gr),
        grad,
      });
      k.record(pass, g, arena, { rows: 2 * n, hidden: HIDDEN, features, activation: "gelu" });
    }, [grad]);
    const b1 = new Float64Array(HIDDEN), w2 = new Float64Array(HIDDEN);
    for (let r = 0; r < 2 * n; r++) {
      for (let h = 0; h < HIDDEN; h++) {
        b1[h] += gz[r * HIDDEN + h], w2[h] += gr[r] * activate(z[r * HIDDEN + h], "gelu");
      }
    }
    assertClose(out.subarray(w1, w1 + HIDDEN), b1, "db1", 1e-6);
    assertClose(out.subarray(w1 + HIDDEN, w1 + 2 * HIDDEN), w2, "dw2", 1e-6);
    assert.equal(out[w1 + 2 * HIDDEN], 0);
    assert.ok(out.subarray(0, w1).every(Number.isNaN), "wrote into W1's part");
  },
);

for (const pooling of ["mean", "sqrtn"] as const) {
  gpuTest(
    `pooled_grad gives each token its bag's scaled gradient (${pooling}, 33 pairs, empty bags)`,
    async (gpu) => {
      const n = 33, features = 3 * DIM + 2, { rng, pooled } = randomPooled(`pg ${pooling}`, n);
      pooled[3 * DIM] = 0; // an empty prompt bag: scale 1
      const gz = randoms(rng, 2 * n * HIDDEN, 0.1),
        theta = randoms(rng, HIDDEN * features + 2 * HIDDEN + 1);
      const k = await PooledGradKernel.load(gpu);
      const gtok = sentinel(gpu, 3 * n * DIM);
      const [out] = await run(gpu, (arena, pass) => {
        const g = k.bind(arena, {
          pooled: bufferOf(gpu, pooled),
          gz: bufferOf(gpu, gz),
          theta: bufferOf(gpu, theta),
          gtok,
        });
        k.record(pass, g, arena, {
          n,
          dim: DIM,
          hidden: HIDDEN,
          features,
          stride: STRIDE,
          pooling,
        });
      }, [gtok]);
      const expected = new Float64Array(3 * n * DIM);
      for (let i = 0; i < n; i++) {
        const dx = [0, 1].map((s) => {
          const g = new Float64Array(features);
          for (let h = 0; h < HIDDEN; h++) {
            for (let f = 0; f < features; f++) {
              g[f] += theta[h * features + f] * gz[(2 * i + s) * HIDDEN + h];
            }
          }
          return g;
        });
        const scale = (b: number) => {
          const c = Math.max(1, pooled[i * STRIDE + 3 * DIM + b]);
          return pooling === "mean" ? 1 / c : 1 / Math.sqrt(c);
        };
        for (let d = 0; d < DIM; d++) {
          const p = pooled[i * STRIDE + d],
            qa = pooled[i * STRIDE + DIM + d],
            qb = pooled[i * STRIDE + 2 * DIM + d];
          const dp = dx[0][d] + dx[0][2 * DIM + d] * qa + dx[1][d] + dx[1][2 * DIM + d] * qb;
          expected[3 * i * DIM + d] = dp * scale(0);
          expected[(3 * i + 1) * DIM + d] = (dx[0][DIM + d] + dx[0][2 * DIM + d] * p) * scale(1);
          expected[(3 * i + 2) * DIM + d] = (dx[1][DIM + d] + dx[1][2 * DIM + d] * p) * scale(2);
        }
      }
      assertClose(out, expected, "per-token gradient", 1e-6);
    },
  );
}

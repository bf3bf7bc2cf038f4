import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
import { bagScale } from "../../src/model/bag.ts";
import { activate, activateGrad } from "../../src/model/math.ts";
import { assembleKernels } from "../../src/model/wasm/build_kernels.ts";
import { KERNELS_WASM_BASE64 } from "../../src/model/wasm/kernels_wasm.ts";
import { instantiateKernels, kernelMemory, type Kernels } from "../../src/model/wasm/kernels.ts";

const SENTINEL = -12345.5;

/** Fresh kernels and a float view of their memory. */
function setup(bytes = 1 << 20): { k: Kernels; f: Float32Array; u: Uint32Array } {
  const k = instantiateKernels(kernelMemory(bytes));
  return { k, f: new Float32Array(k.memory.buffer), u: new Uint32Array(k.memory.buffer) };
}

function close(got: number, want: number, rtol = 1e-5, atol = 1e-6): boolean {
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

Deno.test("kernels_wasm.ts holds exactly the assembled kernels.wat (run `deno task wasm` after editing)", async () => {
  const wat = await Deno.readTextFile(new URL("../../src/model/wasm/kernels.wat", import.meta.url));
  const bytes = await assembleKernels(wat);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  assert.equal(btoa(bin), KERNELS_WASM_BASE64);
});

Deno.test("gemm() matches a float64 loop on random shapes, leaving C's other elements alone", () => {
  const rng = new Rng(1);
  for (const [m, n, k] of [[1, 8, 1], [7, 16, 13], [13, 24, 5], [64, 200, 128], [6, 8, 0]]) {
    const { k: kern, f } = setup();
    const lda = k + 3, ldb = n + 8, ldc = n + 4, A = 16, B = A + m * lda + 16;
    const C = B + Math.max(k, 1) * ldb + 16;
    for (let i = 0; i < m * lda; i++) f[A + i] = rng.normal();
    for (let i = 0; i < k * ldb; i++) f[B + i] = rng.normal();
    f.fill(SENTINEL, C, C + m * ldc + 8);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[C + i * ldc + j] = rng.normal();
    const before = f.slice(C, C + m * ldc + 8);
    kern.gemm(A * 4, B * 4, C * 4, m, n, k, lda, ldb, ldc);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        const got = f[C + i * ldc + j];
        if (j >= n) {
          assert.equal(got, SENTINEL, `C[${i}, ${j}] is outside the product and was written`);
          continue;
        }
        let want = before[i * ldc + j];
        for (let t = 0; t < k; t++) want += f[A + i * lda + t] * f[B + t * ldb + j];
        assert.ok(
          close(got, want, 1e-5, 1e-5),
          `C[${i}, ${j}] = ${got}, want ${want} (${m}x${n}x${k})`,
        );
      }
    }
    assert.equal(f[C + m * ldc], SENTINEL);
  }
});

Deno.test("pool() and scatter() sum and spread embedding rows like the reference loops", () => {
  const rng = new Rng(2), { k, f, u } = setup(), dim = 12, rows = 50;
  const E = 16, IDS = E + rows * dim, OUT = IDS + 64, G = OUT + 16, DV = G + rows * dim;
  for (let i = 0; i < rows * dim; i++) f[E + i] = rng.normal();
  for (let len = 0; len < 11; len++) {
    for (let t = 0; t < len; t++) u[IDS + t] = rng.int(rows);
    f.fill(SENTINEL, OUT, OUT + dim + 4);
    k.pool(E * 4, dim, IDS * 4, 0, len, OUT * 4, 0.5);
    for (let c = 0; c < dim; c++) {
      let want = 0;
      for (let t = 0; t < len; t++) want += f[E + u[IDS + t] * dim + c];
      assert.ok(close(f[OUT + c], 0.5 * want), `len ${len} col ${c}`);
    }
    assert.equal(f[OUT + dim], SENTINEL);
  }
  for (let i = 0; i < dim; i++) f[DV + i] = rng.normal();
  for (let t = 0; t < 9; t++) u[IDS + t] = rng.int(rows);
  const want = new Float64Array(rows * dim);
  for (let t = 0; t < 9; t++) {
    for (let c = 0; c < dim; c++) want[u[IDS + t] * dim + c] += 0.25 * f[DV + c];
  }
  for (let part = 0; part < 3; part++) k.scatter(G * 4, dim, IDS * 4, 0, 9, DV * 4, 0.25, part, 3);
  for (let i = 0; i < rows * dim; i++) assert.ok(close(f[G + i], want[i]), `grad ${i}`);
});

Deno.test("adam_rows() steps only the listed rows of its share and zeroes their gradients", () => {
  const rng = new Rng(3), { k, f, u } = setup(), dim = 8, rows = 10, n = rows * dim;
  const E = 16, M = E + n, V = M + n, G = V + n, R = G + n;
  for (let i = 0; i < 4 * n; i++) f[E + i] = rng.normal();
  for (let i = 0; i < n; i++) f[V + i] = Math.abs(f[V + i]);
  const before = f.slice(E, E + 4 * n), list = [7, 2, 4];
  u.set(list, R);
  const [lr, b1, b2, eps, wd, t] = [0.01, 0.9, 0.999, 1e-8, 0.1, 3];
  const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
  k.adam_rows(E * 4, M * 4, V * 4, G * 4, R * 4, 3, dim, lr, b1, b2, c1, c2, eps, wd, 0, 2);
  for (let row = 0; row < rows; row++) {
    const stepped = list.includes(row) && row % 2 === 0;
    for (let c = 0; c < dim; c++) {
      const i = row * dim + c, g = before[3 * n + i];
      if (!stepped) {
        for (const [at, o] of [[E, 0], [M, n], [V, 2 * n], [G, 3 * n]]) {
          assert.equal(f[at + i], before[o + i], `row ${row} changed`);
        }
        continue;
      }
      const m = b1 * before[n + i] + (1 - b1) * g, v = b2 * before[2 * n + i] + (1 - b2) * g * g;
      const th = before[i] - lr * ((m / c1) / (Math.sqrt(v / c2) + eps) + wd * before[i]);
      assert.ok(close(f[M + i], m) && close(f[V + i], v) && close(f[E + i], th, 1e-5, 1e-6));
      assert.equal(f[G + i], 0);
    }
  }
});

// GELU's tails are (1 + tanh(u)) times something, and float32 tanh near -1 leaves 1 + tanh(u) a
// few 1e-8 off: hence absolute tolerances of 1e-6 (value) and 5e-6 (derivative, up to ~1e-4).
Deno.test("act_rows() matches activate/activateGrad and the reward dot product, extreme values included", () => {
  const rng = new Rng(4), { k, f } = setup(), hp = 16, rows = 5;
  const Z = 16, G = Z + rows * hp, W = G + rows * hp, R = W + hp;
  for (const [kind, name] of [[0, "gelu"], [1, "relu"]] as const) {
    const z = Float32Array.from({ length: rows * hp }, () => 4 * rng.normal());
    z.set([0, -0, 1e-20, -1e-20, 30, -30, 1e4, -1e4, 7.9, -7.9, 0.0003], 0);
    f.set(z, Z);
    for (let j = 0; j < hp; j++) f[W + j] = rng.normal();
    k.act_rows(Z * 4, G * 4, W * 4, R * 4, rows, hp, 0.25, kind);
    for (let row = 0; row < rows; row++) {
      let r = 0.25;
      for (let j = 0; j < hp; j++) {
        const x = z[row * hp + j], h = activate(x, name), d = activateGrad(x, name);
        assert.ok(
          close(f[Z + row * hp + j], h, 2e-6, 1e-6),
          `${name}(${x}) = ${f[Z + row * hp + j]}, want ${h}`,
        );
        assert.ok(
          close(f[G + row * hp + j], d, 2e-6, 5e-6),
          `${name}'(${x}) = ${f[G + row * hp + j]}, want ${d}`,
        );
        r += f[W + j] * h;
      }
      assert.ok(close(f[R + row], r, 1e-5, 1e-5), `reward of row ${row}`);
    }
  }
});

Deno.test("pool_pairs() pools each pair's three bags exactly as pool() with bagScale, empty bags included", () => {
  const rng = new Rng(5), { k, f, u } = setup(), dim = 8, rows = 40, n = 7;
  const E = 16, OFF = E + rows * dim, IDS = OFF + 3 * (n + 1), IDX = IDS + 3 * 64, X = IDX + 16;
  const ldx = 3 * dim + 4, dqa = dim, dqb = 2 * dim, WANT = X + n * ldx + 16;
  for (let i = 0; i < rows * dim; i++) f[E + i] = rng.normal();
  // three CSR columns of n bags (sizes 0..6) sharing one ids array, one after the other
  let id = 0;
  for (let col = 0; col < 3; col++) {
    for (let i = 0; i <= n; i++) {
      u[OFF + col * (n + 1) + i] = id;
      if (i < n) { for (let len = rng.int(7); len > 0; len--) u[IDS + id++] = rng.int(rows); }
    }
  }
  const order = [4, 0, 6, 2, 2];
  u.set(order, IDX);
  for (const pooling of ["mean", "sqrtn"] as const) {
    f.fill(SENTINEL, X, X + order.length * ldx);
    k.pool_pairs(
      E * 4,
      dim,
      OFF * 4,
      IDS * 4,
      (OFF + n + 1) * 4,
      IDS * 4,
      (OFF + 2 * (n + 1)) * 4,
      IDS * 4,
      IDX * 4,
      order.length,
      X * 4,
      dqa * 4,
      dqb * 4,
      ldx * 4,
      pooling === "mean" ? 1 : 0,
    );
    order.forEach((i, t) => {
      for (let col = 0; col < 3; col++) {
        const s = u[OFF + col * (n + 1) + i], e = u[OFF + col * (n + 1) + i + 1];
        k.pool(E * 4, dim, IDS * 4, s, e, WANT * 4, bagScale(e - s, pooling));
        const got = f.subarray(X + t * ldx + col * dim, X + t * ldx + (col + 1) * dim);
        assert.deepEqual(got, f.slice(WANT, WANT + dim), `${pooling}, pair ${i}, bag ${col}`);
      }
      assert.equal(f[X + t * ldx + 3 * dim], SENTINEL, "past the rows");
    });
  }
});

Deno.test("score_pairs() matches a float64 loop of the factored forward pass, both block widths", () => {
  const rng = new Rng(6);
  for (const [hp, steps, kind] of [[16, 5, 0], [24, 9, 1], [8, 4, 0], [40, 12, 0]]) {
    const { k, f } = setup(), n = 3, ldx = 3 * steps + 1;
    const ZP = 16, X = ZP + n * hp + 16, W = X + n * ldx + 16, W2 = W + 2 * steps * hp + 16;
    const ZT = W2 + hp + 16, RA = ZT + hp + 16, RB = RA + n + 8;
    for (let i = 0; i < n * hp; i++) f[ZP + i] = rng.normal();
    for (let i = 0; i < n * ldx; i++) f[X + i] = rng.normal();
    for (let i = 0; i < 2 * steps * hp; i++) f[W + i] = 0.5 * rng.normal();
    for (let j = 0; j < hp; j++) f[W2 + j] = rng.normal();
    const zp = f.slice(ZP, ZP + n * hp), b2 = 0.375;
    // weight (c, j) of Wq (which 0) or Wpq (1) in the packed layout: blocks of 16 units, the last 8
    const at = (which: number, c: number, j: number) => {
      const block = Math.floor(j / 16) * 16, w = Math.min(16, hp - block);
      return W + block * 2 * steps + c * 2 * w + which * w + (j - block);
    };
    k.score_pairs(
      ZP * 4,
      X * 4,
      steps * 4,
      2 * steps * 4,
      ldx * 4,
      n,
      W * 4,
      steps,
      hp,
      W2 * 4,
      b2,
      kind,
      ZT * 4,
      RA * 4,
      RB * 4,
    );
    const act = (x: number) => activate(x, kind === 1 ? "relu" : "gelu");
    for (let t = 0; t < n; t++) {
      const x = X + t * ldx;
      for (const [q, out] of [[x + steps, RA], [x + 2 * steps, RB]]) {
        let r = b2;
        for (let j = 0; j < hp; j++) {
          let z = zp[t * hp + j];
          for (let c = 0; c < steps; c++) {
            z += (f[at(0, c, j)] + f[at(1, c, j)] * f[x + c]) * f[q + c];
          }
          r += f[W2 + j] * act(z);
        }
        assert.ok(
          close(f[out + t], r, 1e-5, 1e-5),
          `hp ${hp}, pair ${t}: ${f[out + t]}, want ${r}`,
        );
      }
    }
  }
});

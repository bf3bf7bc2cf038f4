import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
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

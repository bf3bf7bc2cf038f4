import { floatToHalf, halfToFloat } from "../../src/encoder/f16.ts";
import { erf } from "../../src/encoder/math.ts";
import { attention, layerNorm, linear, pool } from "../../src/encoder/reference.ts";
import { EncoderAttentionKernel, EncoderPoolKernel } from "../../src/gpu/encoder_attention.ts";
import { EncoderLayerNormKernel } from "../../src/gpu/encoder_layernorm.ts";
import { EncoderMatmulKernel } from "../../src/gpu/encoder_matmul.ts";
import { gpuTest } from "./_webgpu.ts";
import { assertClose, bufferOf, randoms, rngFor, run, sentinel } from "./_harness.ts";

for (const f16 of [false, true]) {
  for (const gelu of [false, true]) {
    const name = `encoder_matmul matches the reference on ragged sizes (${
      f16 ? "f16" : "f32"
    } weights${gelu ? ", GELU" : ""})`;
    gpuTest(name, async (gpu) => {
      const rng = rngFor(name);
      const k = await EncoderMatmulKernel.load(gpu);
      for (const [m, n, kk] of [[1, 1, 2], [67, 45, 38], [130, 70, 96], [5, 129, 18]]) {
        const x = randoms(rng, m * kk, 2);
        let w = randoms(rng, n * kk, 0.5);
        let wBits: Uint32Array;
        if (f16) {
          const halves = Uint16Array.from(w, floatToHalf);
          w = Float32Array.from(halves, halfToFloat);
          wBits = new Uint32Array(halves.buffer);
        } else {
          wBits = new Uint32Array(w.buffer.slice(0));
        }
        const b = randoms(rng, n, 1);
        const y = sentinel(gpu, m * n);
        const [got] = await run(gpu, (arena, pass) => {
          const g = k.bind(arena, bufferOf(gpu, x), bufferOf(gpu, wBits), bufferOf(gpu, b), y);
          k.record(pass, g, arena, { m, n, k: kk, gelu, f16 });
        }, [y]);
        assertClose(got, linear(x, w, b, m, gelu), `y ${m}x${n}x${kk}`, 2e-5, 1e-4);
      }
    });
  }
}

gpuTest("encoder_matmul's GELU is within 1e-6 of the exact erf GELU on [-10, 10]", async (gpu) => {
  const k = await EncoderMatmulKernel.load(gpu);
  const n = 4001;
  const x = Float32Array.from({ length: n }, (_, i) => -10 + 20 * i / (n - 1));
  const y = sentinel(gpu, n);
  // An n x 1 input times the 1 x 1 identity: y = gelu(x).
  const [got] = await run(gpu, (arena, pass) => {
    const one = new Uint32Array(new Float32Array([1]).buffer);
    const g = k.bind(
      arena,
      bufferOf(gpu, x),
      bufferOf(gpu, one),
      bufferOf(gpu, new Float32Array(1)),
      y,
    );
    k.record(pass, g, arena, { m: n, n: 1, k: 1, gelu: true, f16: false });
  }, [y]);
  const exact = Float32Array.from(x, (v) => 0.5 * v * (1 + erf(v * Math.SQRT1_2)));
  assertClose(got, exact, "gelu", 1e-6, 0);
});

for (const residual of [false, true]) {
  const name = `encoder_layernorm matches the reference (${residual ? "with" : "no"} residual)`;
  gpuTest(name, async (gpu) => {
    const rng = rngFor(name);
    const k = await EncoderLayerNormKernel.load(gpu);
    for (const [rows, h] of [[1, 3], [37, 70], [5, 200]]) {
      const x = randoms(rng, rows * h, 3), res = randoms(rng, rows * h, 3);
      const g = randoms(rng, h, 1), b = randoms(rng, h, 1);
      const y = sentinel(gpu, rows * h);
      const ln = new Float32Array([...g, ...b]);
      const [got] = await run(gpu, (arena, pass) => {
        const group = k.bind(arena, bufferOf(gpu, x), bufferOf(gpu, res), bufferOf(gpu, ln), y);
        k.record(pass, group, arena, { rows, h, residual, eps: 1e-12 });
      }, [y]);
      assertClose(
        got,
        layerNorm(x, residual ? res : null, g, b, 1e-12),
        `ln ${rows}x${h}`,
        1e-5,
        1e-4,
      );
    }
  });
}

gpuTest(
  "encoder_attention masks padding keys and matches the reference per sequence",
  async (gpu) => {
    const rng = rngFor("encoder_attention");
    const k = await EncoderAttentionKernel.load(gpu);
    for (
      const [lens, h, heads] of [[[3, 1, 7], 12, 3], [[70, 130, 2], 40, 2], [[5], 256, 2]] as const
    ) {
      const len = Math.max(...lens), B = lens.length, rows = B * len;
      const qkv = randoms(rng, rows * 3 * h, 2);
      const ctx = sentinel(gpu, rows * h);
      const [got] = await run(gpu, (arena, pass) => {
        const g = k.bind(arena, bufferOf(gpu, qkv), bufferOf(gpu, Uint32Array.from(lens)), ctx);
        k.record(pass, g, arena, { rows, h, len, heads });
      }, [ctx]);
      lens.forEach((n, b) => {
        // The reference sees only the sequence's real tokens; its real queries must agree.
        const own = qkv.subarray(b * len * 3 * h, (b * len + n) * 3 * h);
        const want = attention(own, n, h, heads);
        assertClose(got.subarray(b * len * h, (b * len + n) * h), want, `ctx seq ${b}`, 1e-5, 1e-4);
      });
    }
  },
);

for (
  const [pooling, normalize] of [["mean", false], ["cls", false], ["mean", true], [
    "cls",
    true,
  ]] as const
) {
  const name = `encoder_pool ${pooling}${normalize ? " + L2" : ""} pools only real tokens`;
  gpuTest(name, async (gpu) => {
    const rng = rngFor(name);
    const k = await EncoderPoolKernel.load(gpu);
    const lens = [4, 1, 9], len = 9, h = 70, B = 3, outRow = 2;
    const hidden = randoms(rng, B * len * h, 2);
    const out = sentinel(gpu, (B + outRow) * h);
    const [got] = await run(gpu, (arena, pass) => {
      const g = k.bind(arena, bufferOf(gpu, hidden), bufferOf(gpu, Uint32Array.from(lens)), out);
      k.record(pass, g, arena, { batch: B, h, len, cls: pooling === "cls", normalize, outRow });
    }, [out]);
    lens.forEach((n, b) => {
      const want = pool(hidden.subarray(b * len * h, (b * len + n) * h), h, { pooling, normalize });
      assertClose(
        got.subarray((outRow + b) * h, (outRow + b + 1) * h),
        want,
        `seq ${b}`,
        1e-5,
        1e-4,
      );
    });
    if (!Number.isNaN(got[0])) throw new Error("rows before out_row were written");
  });
}

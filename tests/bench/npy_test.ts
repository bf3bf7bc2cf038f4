import assert from "node:assert/strict";
import { decodeNpy, encodeNpy } from "../../bench/lib/npy.ts";

Deno.test("encodeNpy() pads the header to 64 bytes and decodeNpy() reads every dtype back", () => {
  const arrays = [
    new Float32Array([1.5, -2, NaN, 3e38]),
    new Int32Array([-1, 2 ** 31 - 1]),
    new Uint32Array([0, 2 ** 32 - 1, 7]),
    new Int8Array([1, -1, 0]),
    new Uint8Array([255, 0]),
  ];
  for (const a of arrays) {
    const bytes = encodeNpy(a);
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    assert.equal((10 + headerLen) % 64, 0);
    const back = decodeNpy(bytes);
    assert.equal(back.data.constructor, a.constructor);
    assert.deepEqual(Array.from(back.data), Array.from(a));
    assert.deepEqual(back.shape, [a.length]);
  }
});

Deno.test("encodeNpy() keeps a 2-D shape and refuses a shape of the wrong size", () => {
  const back = decodeNpy(encodeNpy(new Float32Array(6).map((_, i) => i), [2, 3]));
  assert.deepEqual(back.shape, [2, 3]);
  assert.throws(
    () => encodeNpy(new Float32Array(5), [2, 3]),
    /shape \[2,3\] holds 6 values: the array has 5/,
  );
});

Deno.test("NumPy reads encodeNpy() output (skipped without python3 and numpy)", async (t) => {
  const probe = await new Deno.Command("python3", { args: ["-c", "import numpy"], stderr: "null" })
    .output().catch(() => null);
  if (!probe?.success) {
    console.warn("skipped: python3 with numpy is not available");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.npy`, encodeNpy(new Uint32Array([3, 1, 4, 1, 5, 9]), [2, 3]));
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        `import numpy as np; a = np.load("${dir}/a.npy"); print(a.dtype, a.shape, int(a[1, 2]))`,
      ],
    }).output();
    await t.step("dtype, shape and values", () => {
      assert.equal(new TextDecoder().decode(out.stdout).trim(), "uint32 (2, 3) 9");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { installPassProfiler } from "../../bench/lib/pass_profiler.ts";

const adapter = await navigator.gpu?.requestAdapter();
const ignore = !adapter?.features.has("timestamp-query");
if (ignore && Deno.env.get("REQUIRE_WEBGPU") === "1") {
  throw new Error("REQUIRE_WEBGPU=1 but there is no WebGPU adapter with timestamp-query");
}

const CODE = (v: number) =>
  `@group(0) @binding(0) var<storage, read_write> x: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= arrayLength(&x)) { return; }
  x[g.x] = x[g.x] * 2u + ${v}u;
}`;

Deno.test({
  name: "installPassProfiler() times each dispatch by pipeline label without changing results",
  ignore,
  fn: async () => {
    const prof = installPassProfiler();
    let device: GPUDevice | null = null;
    try {
      device = await adapter!.requestDevice();
      assert.ok(device.features.has("timestamp-query"));
      const pipe = (label: string, v: number) =>
        device!.createComputePipeline({
          label,
          layout: "auto",
          compute: { module: device!.createShaderModule({ code: CODE(v) }), entryPoint: "main" },
        });
      const a = pipe("kernel_a", 1), b = pipe("kernel_b", 3);
      const n = 1000;
      const buf = device.createBuffer({
        size: 4 * n,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(buf, 0, new Uint32Array(n).fill(1));
      const read = device.createBuffer({
        size: 4 * n,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass(); // one pass, three dispatches: split by the profiler
      for (const p of [a, b, a]) {
        pass.setPipeline(p);
        pass.setBindGroup(
          0,
          device.createBindGroup({
            layout: p.getBindGroupLayout(0),
            entries: [{ binding: 0, resource: { buffer: buf } }],
          }),
        );
        pass.dispatchWorkgroups(Math.ceil(n / 64));
      }
      pass.end();
      enc.copyBufferToBuffer(buf, 0, read, 0, 4 * n);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const out = new Uint32Array(read.getMappedRange().slice(0));
      read.unmap();
      // ((1 * 2 + 1) * 2 + 3) * 2 + 1 = 19, in the dispatch order.
      assert.ok(out.every((x) => x === 19), `got ${out[0]}`);
      const t = await prof.collect();
      assert.deepEqual(Object.keys(t).sort(), ["kernel_a", "kernel_b"]);
      assert.equal(t.kernel_a.dispatches, 2);
      assert.equal(t.kernel_b.dispatches, 1);
      assert.ok(t.kernel_a.ns > 0 && t.kernel_b.ns > 0);
      prof.reset();
      assert.deepEqual(await prof.collect(), {});
    } finally {
      prof.uninstall();
      device?.destroy();
    }
  },
});

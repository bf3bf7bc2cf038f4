import { isSoftwareAdapter } from "../../src/gpu/device.ts";
import { hasWebGpu, openBackend } from "../../src/compute/open_backend.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { HAS_ADAPTER } from "./_webgpu.ts";
import assert from "node:assert/strict";

const CFG = { ...DEFAULT_MODEL, buckets: 64, dim: 4, hidden: 8 };

function capture() {
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  return { log, warnings };
}

/** Runs `fn` while `navigator.gpu.requestAdapter()` finds nothing. */
async function withoutAdapter(fn: () => Promise<void>): Promise<void> {
  const gpu = navigator.gpu as unknown as { requestAdapter?: () => Promise<null> };
  gpu.requestAdapter = () => Promise.resolve(null);
  try {
    await fn();
  } finally {
    delete gpu.requestAdapter;
  }
}

Deno.test("openBackend('auto') without an adapter warns why and how, and falls back to the CPU", async () => {
  await withoutAdapter(async () => {
    assert.equal(await hasWebGpu(), false);
    const { log, warnings } = capture();
    const b = await openBackend("auto", CFG, log);
    assert.equal(b.kind, "cpu");
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /No WebGPU adapter found.*llvmpipe.*apt-get install mesa-vulkan-drivers/,
    );
    b.destroy();
  });
});

Deno.test("openBackend('webgpu') without an adapter throws saying how to get one", async () => {
  await withoutAdapter(async () => {
    await assert.rejects(openBackend("webgpu", CFG, capture().log), {
      message:
        /^Cannot use backend 'webgpu' as no WebGPU adapter was found: install a GPU driver, or use Mesa's software adapters.*mesa-vulkan-drivers.*or set backend: cpu$/,
    });
  });
});

Deno.test("openBackend('cpu') gives the reference backend without touching WebGPU", async () => {
  const b = await openBackend("cpu", CFG, capture().log);
  assert.equal(b.kind, "cpu");
  b.destroy();
});

/** Runs `fn` while the real adapter reports `info` overrides (e.g. to look like hardware). */
async function withAdapterInfo(
  info: Record<string, unknown>,
  fn: () => Promise<void>,
): Promise<void> {
  const real = (await navigator.gpu.requestAdapter())!;
  const fake = new Proxy(real, {
    get(target, key) {
      if (key === "info") {
        const { vendor, architecture, device, description } = target.info;
        return { vendor, architecture, device, description, ...info };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const gpu = navigator.gpu as unknown as { requestAdapter?: () => Promise<GPUAdapter> };
  gpu.requestAdapter = () => Promise.resolve(fake);
  try {
    await fn();
  } finally {
    delete gpu.requestAdapter;
  }
}

const withDevice = { ignore: !HAS_ADAPTER, sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "openBackend('auto') picks WebGPU on a hardware adapter",
  ...withDevice,
  fn: () =>
    withAdapterInfo(
      { isFallbackAdapter: false, description: "Some GPU", device: "1", vendor: "2" },
      async () => {
        const { log, warnings } = capture();
        const b = await openBackend("auto", CFG, log);
        try {
          assert.equal(b.kind, "webgpu");
          assert.equal(warnings.length, 0);
        } finally {
          b.destroy();
        }
      },
    ),
});

Deno.test({
  name: "openBackend('auto') prefers the CPU over a software adapter, saying so",
  ...withDevice,
  fn: () =>
    withAdapterInfo(
      { isFallbackAdapter: true, description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
      async () => {
        const { log, warnings } = capture();
        const b = await openBackend("auto", CFG, log);
        assert.equal(b.kind, "cpu");
        assert.equal(warnings.length, 1);
        assert.match(
          warnings[0],
          /^Only a software WebGPU adapter was found \('llvmpipe.*set backend: webgpu to use the software one anyway$/,
        );
        b.destroy();
      },
    ),
});

Deno.test({
  name: "openBackend('webgpu') uses a software adapter when asked to",
  ...withDevice,
  fn: () =>
    withAdapterInfo({ isFallbackAdapter: true, description: "llvmpipe" }, async () => {
      const b = await openBackend("webgpu", CFG, capture().log);
      try {
        assert.equal(b.kind, "webgpu");
      } finally {
        b.destroy();
      }
    }),
});

Deno.test("isSoftwareAdapter() recognises fallback adapters and Mesa's software rasterizers", () => {
  const fake = (info: Record<string, unknown>) =>
    ({ info: { description: "", device: "", vendor: "", ...info } }) as unknown as GPUAdapter;
  assert.equal(isSoftwareAdapter(fake({ isFallbackAdapter: true })), true);
  assert.equal(isSoftwareAdapter(fake({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" })), true);
  assert.equal(
    isSoftwareAdapter(fake({ description: "Intel(R) UHD Graphics (LVP)", vendor: "lavapipe" })),
    true,
  );
  assert.equal(isSoftwareAdapter(fake({ description: "NVIDIA H100 80GB HBM3" })), false);
});

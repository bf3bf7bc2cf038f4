/**
 * Shared helper of the GPU tests: `gpuTest` registers a test that gets a fresh device (destroyed
 * afterwards). Without an adapter the tests are registered with `ignore: true` and a visible
 * reason, unless `REQUIRE_WEBGPU=1` (as CI sets), where a missing adapter fails the suite.
 *
 * @module
 */
import { type GpuContext, openGpu, requestAdapter } from "../../src/gpu/device.ts";

function _required(): boolean {
  try {
    return Deno.env.get("REQUIRE_WEBGPU") === "1";
  } catch {
    return false;
  }
}

/** True when the machine has a WebGPU adapter. */
export const HAS_ADAPTER: boolean = (await requestAdapter()) !== null;
/** True when the GPU tests must run (`REQUIRE_WEBGPU=1`). */
export const REQUIRED: boolean = _required();

if (!HAS_ADAPTER) {
  if (REQUIRED) {
    Deno.test("a WebGPU adapter is available (REQUIRE_WEBGPU=1)", () => {
      throw new Error(
        "REQUIRE_WEBGPU=1 but navigator.gpu.requestAdapter() found no adapter: install Mesa " +
          "(llvmpipe over GL, or `apt-get install mesa-vulkan-drivers` for lavapipe)",
      );
    });
  } else {
    console.warn(
      "%cGPU tests skipped: no WebGPU adapter found (set REQUIRE_WEBGPU=1 to make this an error)",
      "color: yellow",
    );
  }
}

/** Options of `gpuTest`. */
export interface GpuTestOptions {
  /** Caps the storage binding size of the test's device (forces table splits). */
  maxStorageBindingBytes?: number;
}

/**
 * Registers a test that runs with a fresh device, skipped (visibly) without an adapter.
 *
 * @param name The test's name (what it shows).
 * @param fn The test body.
 * @param opts Device options.
 */
export function gpuTest(
  name: string,
  fn: (gpu: GpuContext) => Promise<void>,
  opts: GpuTestOptions = {},
): void {
  Deno.test({
    name,
    ignore: !HAS_ADAPTER,
    // The device's `lost` promise settles after destroy(), outside the test's own ops.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const gpu = await openGpu({ maxStorageBindingBytes: opts.maxStorageBindingBytes });
      try {
        await fn(gpu);
      } finally {
        gpu.destroy();
      }
    },
  });
}

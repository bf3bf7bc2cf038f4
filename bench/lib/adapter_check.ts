/**
 * Prints the WebGPU adapter as JSON and fails unless it is a hardware GPU: the first step of
 * `bench/gpu.sh`, so that a GPU benchmark never silently measures llvmpipe, lavapipe or
 * SwiftShader. `--allow-software` accepts a software adapter (to test the script itself).
 *
 * Usage: `deno run -A bench/lib/adapter_check.ts [--allow-software]`
 *
 * @module
 */
import { type AdapterDescription, describeAdapter } from "./machine.ts";

/**
 * Why an adapter is not good enough for the GPU benchmark, or null when it is.
 *
 * @param a The adapter (null: none).
 * @param allowSoftware Accept a software adapter.
 * @returns A message saying what is wrong and what to do, or null.
 * @example
 * ```ts
 * import { adapterProblem } from "./adapter_check.ts";
 * const sw = { description: "llvmpipe (LLVM 15)", software: true } as never;
 * if (adapterProblem(sw, false) === null || adapterProblem(sw, true) !== null) throw new Error();
 * ```
 */
export function adapterProblem(
  a: AdapterDescription | null,
  allowSoftware: boolean,
): string | null {
  if (!a) {
    return "Cannot run the GPU benchmark as no WebGPU adapter was found: install the NVIDIA " +
      "driver's Vulkan ICD (and libvulkan1), or set VK_DRIVER_FILES to its nvidia_icd.json";
  }
  if (a.software && !allowSoftware) {
    return `Cannot run the GPU benchmark on '${a.description || a.device}' as it is a software ` +
      "adapter: make the NVIDIA Vulkan driver visible (VK_DRIVER_FILES, DENO_WEBGPU_BACKEND=vulkan) " +
      "or pass --allow-software to test the script itself";
  }
  return null;
}

if (import.meta.main) {
  const a = await describeAdapter();
  console.log(JSON.stringify(a, null, 2));
  const problem = adapterProblem(a, Deno.args.includes("--allow-software"));
  if (problem) {
    console.error(problem);
    Deno.exit(1);
  }
}

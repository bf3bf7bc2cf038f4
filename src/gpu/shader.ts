/**
 * Loads WGSL kernels from `shaders/` and builds their compute pipelines, cached per device by a
 * shader key, inside error scopes so a compile error names the shader.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";

const SHADER_DIR = new URL("../../shaders/", import.meta.url);
const sources = new Map<string, Promise<string>>();
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<KernelPipeline>>>();

/** A compute pipeline with its explicit bind group layout. */
export interface KernelPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** One binding of a kernel: its WGSL buffer type (binding order = array order). */
export type BindingKind = "uniform" | "read" | "write";

/**
 * Reads the WGSL text of a kernel (cached).
 *
 * @param name The file name in `shaders/` without `.wgsl`.
 * @returns The WGSL source.
 * @example
 * ```ts
 * import { shaderSource } from "./shader.ts";
 * const code = await shaderSource("adam_dense");
 * if (!code.includes("@compute")) throw new Error();
 * ```
 */
export function shaderSource(name: string): Promise<string> {
  let text = sources.get(name);
  if (!text) {
    const url = new URL(`${name}.wgsl`, SHADER_DIR);
    text = url.protocol === "file:" ? Deno.readTextFile(url) : fetch(url).then((r) => {
      if (!r.ok) throw new Error(`Cannot load shader '${name}' from ${url}: HTTP ${r.status}`);
      return r.text();
    });
    sources.set(name, text);
    text.catch(() => sources.delete(name));
  }
  return text;
}

/**
 * Builds (or returns the cached) pipeline of a kernel. Binding 0 is the uniform params struct,
 * bound with a dynamic offset so one buffer holds the params of many dispatches.
 *
 * @param gpu The device.
 * @param name Shader file name (also the cache key together with `constants`).
 * @param bindings Kinds of bindings 0..n-1.
 * @param constants Pipeline-overridable constants (e.g. the workgroup size).
 * @returns The pipeline and its bind group layout.
 */
export function kernelPipeline(
  gpu: GpuContext,
  name: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number> = {},
): Promise<KernelPipeline> {
  let cache = pipelines.get(gpu.device);
  if (!cache) pipelines.set(gpu.device, cache = new Map());
  const key = `${name}|${bindings.join(",")}|${JSON.stringify(constants)}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = _build(gpu, name, bindings, constants);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

async function _build(
  gpu: GpuContext,
  name: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number>,
): Promise<KernelPipeline> {
  const code = await shaderSource(name);
  const device = gpu.device;
  const module = await gpu.validated(
    `compile WGSL shader '${name}'`,
    () => device.createShaderModule({ label: name, code }),
  );
  return gpu.validated(`create the compute pipeline of shader '${name}'`, () => {
    const layout = device.createBindGroupLayout({
      label: name,
      entries: bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: kind === "uniform"
          ? { type: "uniform", hasDynamicOffset: true }
          : { type: kind === "read" ? "read-only-storage" : "storage" },
      })),
    });
    const pipeline = device.createComputePipeline({
      label: name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main", constants },
    });
    return { pipeline, layout };
  });
}

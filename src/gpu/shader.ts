/**
 * Loads WGSL kernels from `shaders/` (with their `// #include "lib/x.wgsl"` lines expanded) and
 * builds their compute pipelines, cached per device by a shader key, inside error scopes so a
 * compile error names the shader and the file and line behind the compiler's position.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { type ExpandedShader, expandIncludes, explainLines } from "./shader_include.ts";

const SHADER_DIR = new URL("../../shaders/", import.meta.url);
const sources = new Map<string, Promise<ExpandedShader>>();
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<KernelPipeline>>>();

/** A compute pipeline with its explicit bind group layout. */
export interface KernelPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** One binding of a kernel: its WGSL buffer type (binding order = array order). */
export type BindingKind = "uniform" | "read" | "write";

/**
 * Reads the WGSL text of a kernel with its includes expanded (cached).
 *
 * @param name The file name in `shaders/` without `.wgsl`.
 * @returns The WGSL source the compiler sees.
 * @example
 * ```ts
 * import { shaderSource } from "./shader.ts";
 * const code = await shaderSource("adam_dense");
 * if (!code.includes("@compute") || code.includes("#include")) throw new Error();
 * ```
 */
export async function shaderSource(name: string): Promise<string> {
  return (await expandedShader(name)).code;
}

/**
 * Reads a kernel with its includes expanded, and the origin of each line (cached).
 *
 * @param name The file name in `shaders/` without `.wgsl`.
 * @returns The expanded source and line origins.
 */
export function expandedShader(name: string): Promise<ExpandedShader> {
  let text = sources.get(name);
  if (!text) {
    text = expandIncludes(`${name}.wgsl`, _readShaderFile);
    sources.set(name, text);
    text.catch(() => sources.delete(name));
  }
  return text;
}

function _readShaderFile(file: string): Promise<string> {
  const url = new URL(file, SHADER_DIR);
  if (url.protocol === "file:") return Deno.readTextFile(url);
  return fetch(url).then((r) => {
    if (r.status === 404) throw new Deno.errors.NotFound(`${url}`);
    if (!r.ok) throw new Error(`Cannot load shader '${file}' from ${url}: HTTP ${r.status}`);
    return r.text();
  });
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

/**
 * Compiles an expanded shader; a compile error keeps the compiler's excerpt of the expanded
 * source and adds the file and line behind each position it names.
 *
 * @param gpu The device.
 * @param name The shader's name (label and error text).
 * @param shader The expanded source.
 * @returns The shader module.
 * @throws Error with the compiler's message and the origin of its positions.
 */
export async function compileShader(
  gpu: GpuContext,
  name: string,
  shader: ExpandedShader,
): Promise<GPUShaderModule> {
  try {
    return await gpu.validated(
      `compile WGSL shader '${name}'`,
      () => gpu.device.createShaderModule({ label: name, code: shader.code }),
    );
  } catch (e) {
    if (e instanceof Error) e.message = explainLines(e.message, shader.origins);
    throw e;
  }
}

async function _build(
  gpu: GpuContext,
  name: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number>,
): Promise<KernelPipeline> {
  const module = await compileShader(gpu, name, await expandedShader(name));
  const device = gpu.device;
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

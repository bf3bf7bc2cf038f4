/**
 * What a benchmark ran on: CPU, memory, load, runtime and the WebGPU adapter, and the process's
 * peak resident memory.
 *
 * @module
 */
import { cpus } from "node:os";

/** The WebGPU adapter a benchmark saw (null fields when there is none). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** llvmpipe, lavapipe, SwiftShader or an adapter that says it is a fallback. */
  software: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The machine a benchmark ran on. */
export interface MachineDescription {
  os: string;
  arch: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** 1, 5 and 15 minute load averages when the description was taken. */
  loadAverage: number[];
  deno: string;
  v8: string;
  adapter: AdapterDescription | null;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|softpipe/i;

/**
 * Whether an adapter's strings name a software rasterizer.
 *
 * @param text The adapter's description, device and vendor strings joined.
 * @returns True for llvmpipe, lavapipe, SwiftShader and similar.
 * @example
 * ```ts
 * import { isSoftwareAdapterName } from "./machine.ts";
 * if (!isSoftwareAdapterName("llvmpipe (LLVM 15.0.6, 256 bits)")) throw new Error();
 * if (isSoftwareAdapterName("NVIDIA H100 80GB HBM3")) throw new Error();
 * ```
 */
export function isSoftwareAdapterName(text: string): boolean {
  return SOFTWARE.test(text);
}

/**
 * Describes the WebGPU adapter, or returns null when there is none.
 *
 * @returns The adapter's identity and limits.
 * @example
 * ```ts ignore
 * const a = await describeAdapter();
 * console.log(a?.description ?? "no adapter");
 * ```
 */
export async function describeAdapter(): Promise<AdapterDescription | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = `${info.description} ${info.device} ${info.vendor} ${info.architecture}`;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: Boolean(info.isFallbackAdapter) || isSoftwareAdapterName(text),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

/** @returns The CPU model name (node:os, else /proc/cpuinfo, else "unknown"). */
function cpuModel(): string {
  try {
    const name = cpus()[0]?.model?.trim();
    if (name) return name;
  } catch {
    // no --allow-sys: try /proc
  }
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.+)/.exec(text)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Describes this machine.
 *
 * @param withAdapter Also ask WebGPU for the adapter (default true).
 * @returns The description.
 * @example
 * ```ts ignore
 * const m = await describeMachine(false);
 * console.log(m.cores, m.loadAverage);
 * ```
 */
export async function describeMachine(withAdapter = true): Promise<MachineDescription> {
  return {
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    arch: Deno.build.arch,
    cpu: cpuModel(),
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    loadAverage: Deno.loadavg().map((x) => Math.round(x * 100) / 100),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    adapter: withAdapter ? await describeAdapter() : null,
  };
}

/**
 * The peak resident memory of this process so far (VmHWM on Linux; the current RSS elsewhere).
 *
 * @returns Bytes.
 * @example
 * ```ts
 * import { peakRssBytes } from "./machine.ts";
 * if (!(peakRssBytes() > 0)) throw new Error();
 * ```
 */
export function peakRssBytes(): number {
  try {
    const text = Deno.readTextFileSync("/proc/self/status");
    const kb = /VmHWM:\s*(\d+)\s*kB/.exec(text)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: fall through
  }
  return Deno.memoryUsage().rss;
}

/**
 * A short tag for result file names: the adapter (or "cpu") and the core count.
 *
 * @param m The machine.
 * @returns e.g. `llvmpipe-2c` or `nvidia-h100-80gb-hbm3-16c`.
 * @example
 * ```ts
 * import { machineTag } from "./machine.ts";
 * const tag = machineTag({ cores: 2, adapter: { description: "llvmpipe (LLVM 15)" } } as never);
 * if (tag !== "llvmpipe-2c") throw new Error(tag);
 * ```
 */
export function machineTag(m: MachineDescription): string {
  const name = m.adapter?.description ? m.adapter.description.replace(/\(.*$/, "").trim() : "cpu";
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${slug || "gpu"}-${m.cores}c`;
}

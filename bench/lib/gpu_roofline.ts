/**
 * Kernel roofline on the WebGPU backend: per kernel, achieved GB/s and GFLOP/s (bytes and flops
 * from the kernels' own counts, `GpuBackend.lastCost`; GPU time per kernel from timestamp queries,
 * `pass_profiler.ts`) against the device's memory bandwidth and FP32 compute limits, plus the
 * wall time of whole calls (scoring, one training epoch) measured without the profiler.
 *
 * Usage: `deno run -A bench/lib/gpu_roofline.ts [--pairs N] [--repeats R] [--peak-gbps X]
 * [--peak-gflops Y] [--out FILE]` (limits also from `PEAK_GBPS` / `PEAK_GFLOPS`; defaults: H200
 * when the adapter's name says so, else H100 SXM).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { initParams } from "../../src/model/params.ts";
import { openBackend } from "../../src/compute/open_backend.ts";
import { DEFAULT_TRAIN, type RewardBackend } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { describeAdapter } from "./machine.ts";
import { installPassProfiler, type KernelTimes } from "./pass_profiler.ts";
import { median } from "./stats.ts";
import { serOptions } from "./ser_run.ts";
import { worldData } from "./world_data.ts";
import { E2E_MODEL, E2E_TRAIN } from "../e2e.ts";

/** Device limits: HBM bandwidth (GB/s) and dense FP32 rate without tensor cores (GFLOP/s). */
export const DEVICE_LIMITS = {
  "H100 SXM": { gbps: 3350, gflops: 67000 },
  "H200": { gbps: 4800, gflops: 67000 },
} as const;

/**
 * The limits to compare against: explicit values, else the environment, else by adapter name.
 *
 * @param adapterName The adapter's description.
 * @param gbps `--peak-gbps` (or undefined).
 * @param gflops `--peak-gflops` (or undefined).
 * @returns The limits and where they came from.
 * @example
 * ```ts
 * import { deviceLimits } from "./gpu_roofline.ts";
 * if (deviceLimits("NVIDIA H200", undefined, undefined).gbps !== 4800) throw new Error();
 * if (deviceLimits("x", "100", "200").gflops !== 200) throw new Error();
 * ```
 */
export function deviceLimits(
  adapterName: string,
  gbps?: string,
  gflops?: string,
): { gbps: number; gflops: number; source: string } {
  const preset = /h200/i.test(adapterName) ? "H200" : "H100 SXM";
  const d = DEVICE_LIMITS[preset];
  const g = Number(gbps ?? Deno.env.get("PEAK_GBPS") ?? d.gbps);
  const f = Number(gflops ?? Deno.env.get("PEAK_GFLOPS") ?? d.gflops);
  const given = gbps ?? gflops ?? Deno.env.get("PEAK_GBPS") ?? Deno.env.get("PEAK_GFLOPS");
  return { gbps: g, gflops: f, source: given ? "given" : `${preset} preset` };
}

type Cost = {
  kernels: Record<string, { bytes: number; flops: number }>;
  dispatches: number;
  submissions: number;
};

async function calls(b: RewardBackend, n: number, repeats: number) {
  const all = new Uint32Array(n).map((_, i) => i);
  const set = {
    indices: all,
    labels: new Int8Array(n).map((_, i) => (i % 2 ? 1 : -1)),
    weights: new Float32Array(n).fill(1),
  };
  const opts = { ...DEFAULT_TRAIN, batchSize: E2E_TRAIN.batch, lr: E2E_TRAIN.lr };
  const score: number[] = [], train: number[] = [];
  let scoreCost: Cost | null = null, trainCost: Cost | null = null;
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    await b.score(all);
    score.push((performance.now() - t0) / 1e3);
    scoreCost = (b as unknown as { lastCost: Cost }).lastCost;
    t0 = performance.now();
    await b.trainEpoch(set, new Rng(r).shuffle(all.slice()), opts);
    train.push((performance.now() - t0) / 1e3);
    trainCost = (b as unknown as { lastCost: Cost }).lastCost;
  }
  return { score, train, scoreCost: scoreCost!, trainCost: trainCost! };
}

/**
 * Measures calls and kernels.
 *
 * @param args Command-line arguments.
 * @returns The roofline report.
 */
export async function gpuRoofline(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      pairs: { type: "string", default: "16384" },
      repeats: { type: "string", default: "5" },
      "peak-gbps": { type: "string" },
      "peak-gflops": { type: "string" },
    },
  });
  const adapter = await describeAdapter();
  if (!adapter) throw new Error("Cannot run the roofline without a WebGPU adapter");
  const limits = deviceLimits(adapter.description, values["peak-gbps"], values["peak-gflops"]);
  const n = Number(values.pairs), repeats = Number(values.repeats);
  const opts = serOptions({ maxIterations: 1, model: E2E_MODEL, train: E2E_TRAIN });
  const w = worldData(n, 7, opts.featurizer);
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const open = async () => {
    const b = await openBackend("webgpu", opts.model, log);
    await b.load(w.features);
    await b.setParams(initParams(opts.model, new Rng(1)));
    return b;
  };
  // Whole calls, as the loop makes them (no profiler).
  const plain = await open();
  const c = await calls(plain, n, repeats);
  plain.destroy();
  // Kernels: every dispatch in its own timed pass.
  const prof = installPassProfiler();
  let kt: { score: KernelTimes; train: KernelTimes } | null = null;
  try {
    const b = await open();
    await calls(b, n, 1); // warm-up
    await prof.collect();
    prof.reset();
    const all = new Uint32Array(n).map((_, i) => i);
    await b.score(all);
    const score = await prof.collect();
    prof.reset();
    await calls(b, n, 1).then(() => {}); // score + train again; keep the train part below
    const both = await prof.collect();
    const train: KernelTimes = {};
    for (const [k, v] of Object.entries(both)) {
      const s = score[k] ?? { ns: 0, dispatches: 0 };
      const t = { ns: v.ns - s.ns, dispatches: v.dispatches - s.dispatches };
      if (t.dispatches > 0) train[k] = t;
    }
    kt = { score, train };
    b.destroy();
  } finally {
    prof.uninstall();
  }
  const kernels: Record<string, unknown> = {};
  for (const [call, cost] of [["score", c.scoreCost], ["train", c.trainCost]] as const) {
    for (const [name, k] of Object.entries(cost.kernels)) {
      const t = kt?.[call][name];
      const s = t ? t.ns / 1e9 : NaN;
      kernels[`${call}/${name}`] = {
        gpu_ms: s * 1e3,
        dispatches: t?.dispatches ?? null,
        bytes: k.bytes,
        flops: k.flops,
        gbps: k.bytes / s / 1e9,
        gflops: k.flops / s / 1e9,
        pct_of_peak_bw: (100 * k.bytes / s / 1e9) / limits.gbps,
        pct_of_peak_flops: (100 * k.flops / s / 1e9) / limits.gflops,
      };
    }
  }
  const summary = (times: number[], cost: Cost) => {
    const bytes = Object.values(cost.kernels).reduce((s, k) => s + k.bytes, 0);
    const flops = Object.values(cost.kernels).reduce((s, k) => s + k.flops, 0);
    const t = median(times);
    return {
      wall_s: t,
      runs: times,
      bytes,
      flops,
      gbps: bytes / t / 1e9,
      gflops: flops / t / 1e9,
      dispatches: cost.dispatches,
      submissions: cost.submissions,
    };
  };
  return {
    adapter,
    limits,
    pairs: n,
    model: opts.model,
    batch: E2E_TRAIN.batch,
    calls: { score: summary(c.score, c.scoreCost), train_epoch: summary(c.train, c.trainCost) },
    kernels,
    note:
      "kernel times: each dispatch in its own timestamped pass (profiling mode); call times: unprofiled",
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string" } },
    strict: false,
  });
  const r = await gpuRoofline(
    Deno.args.filter((a, i, all) => a !== "--out" && all[i - 1] !== "--out"),
  );
  const text = JSON.stringify(r, null, 2) + "\n";
  if (typeof values.out === "string") await Deno.writeTextFile(values.out, text);
  else console.log(text);
}

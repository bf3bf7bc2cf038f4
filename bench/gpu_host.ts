/**
 * Host time of GPU training against the device's work: for one epoch of the default model on the
 * synthetic bag workload (about 500 ids per pair), per 1024-pair step, with the touched-row lists
 * built on the GPU (the default: the host only cuts the batches) and, for comparison, by the host
 * planner (in workers, and inline): the planning time, the submitting thread's critical path (waiting for plans,
 * list uploads, encoding, submits), upload bytes, and the kernels' byte and flop counts; per epoch
 * the dispatches, submissions and readbacks; and a timeline (text, and SVG with `--svg`) of the
 * planner, the host and the device, which shows which of them is the critical path.
 *
 * On a software adapter the device spans are the CPU running the kernels (and it competes with
 * the host for cores): read the host columns, not the device ones. On a GPU the same run shows
 * whether the host keeps up.
 *
 * Usage: `deno run -A bench/gpu_host.ts [--pairs N] [--batch B] [--dim D] [--hidden H]
 * [--out FILE] [--svg FILE]` (the default model unless `--dim` / `--hidden` narrow it).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { totalCost } from "../src/gpu/cost.ts";
import { GpuBackend } from "../src/gpu/gpu_backend.ts";
import { criticalMsPerStep, renderTimeline } from "../src/gpu/timeline.ts";
import { hasWebGpu } from "../src/compute/open_backend.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../src/model/types.ts";
import { bagWorkload } from "./lib/bag_workload.ts";
import { type HostRun, hostTable } from "./lib/host_section.ts";
import { timelineSvg } from "./lib/timeline_svg.ts";

/**
 * Runs the measurement.
 *
 * @param args Command-line arguments.
 * @returns The figures, or null without an adapter.
 */
export async function runHostBench(args: string[]): Promise<Record<string, unknown> | null> {
  const { values: v } = parseArgs({
    args,
    options: {
      pairs: { type: "string", default: "8192" },
      batch: { type: "string", default: "1024" },
      dim: { type: "string" },
      hidden: { type: "string" },
      out: { type: "string" },
      svg: { type: "string" },
    },
  });
  if (!(await hasWebGpu())) {
    console.error("gpu_host skipped: no WebGPU adapter (see README: Mesa lavapipe or a GPU)");
    return null;
  }
  // A narrow model (--dim 4 --hidden 8) keeps the host's work (same ids, lists and dispatches)
  // and shrinks the device's, to see the host's limits on a slow adapter.
  const cfg = {
    ...DEFAULT_MODEL,
    dim: Number(v.dim ?? DEFAULT_MODEL.dim),
    hidden: Number(v.hidden ?? DEFAULT_MODEL.hidden),
  };
  const pairs = Number(v.pairs), batch = Number(v.batch);
  const { features, set, params, order } = bagWorkload(cfg, pairs);
  const runs: HostRun[] = [];
  let device = "", svg = "";
  for (const planning of ["gpu", "worker", "inline"] as const) {
    const b = await GpuBackend.create(cfg, {
      rowLists: planning === "gpu" ? "gpu" : "host",
      planWorkers: planning === "inline" ? 0 : undefined,
      timestamps: true,
    });
    device = b.deviceName;
    try {
      await b.load(features);
      await b.setParams(params);
      b.trace = true;
      const t0 = performance.now();
      await b.trainEpoch(set, order, { ...DEFAULT_TRAIN, batchSize: batch });
      const epochMs = performance.now() - t0;
      const c = b.lastCost!, h = c.host!, k = totalCost(c), steps = h.steps;
      runs.push({
        planning,
        steps,
        planMsPerStep: h.planMs / steps,
        criticalMsPerStep: criticalMsPerStep(h),
        waitMsPerStep: h.waitMs / steps,
        uploadMsPerStep: h.uploadMs / steps,
        recordMsPerStep: h.recordMs / steps,
        submitMsPerStep: h.submitMs / steps,
        uploadBytesPerStep: c.uploadBytes / steps,
        kernelBytesPerStep: k.bytes / steps,
        kernelFlopsPerStep: k.flops / steps,
        dispatchesPerEpoch: c.dispatches,
        submissionsPerEpoch: c.submissions,
        readbacksPerEpoch: c.readbacks,
        epochMs,
        timeline: renderTimeline(b.lastTimeline),
      });
      if (planning === "gpu") svg = timelineSvg(b.lastTimeline, `${device}: ${pairs} pairs`);
    } finally {
      b.destroy();
    }
  }
  const result = {
    device,
    model: { buckets: cfg.buckets, dim: cfg.dim, hidden: cfg.hidden },
    pairs,
    batch,
    tokensPerPair: (features.promptIds.length + features.aIds.length + features.bIds.length) /
      pairs,
    runs,
  };
  if (v.out) await Deno.writeTextFile(v.out, JSON.stringify(result, null, 2) + "\n");
  if (v.svg) await Deno.writeTextFile(v.svg, svg);
  return result;
}

if (import.meta.main) {
  const r = await runHostBench(Deno.args);
  if (r) {
    const runs = r.runs as HostRun[];
    console.log(`${r.device}: ${r.pairs} pairs, batch ${r.batch}`);
    console.log(hostTable(runs));
    for (const run of runs) console.log(`\n${run.planning} row lists\n${run.timeline}`);
  }
}

/**
 * Host time of GPU training against the device's work: for one epoch of the default model on the
 * synthetic bag workload (about 500 ids per pair), per 1024-pair step, with the touched-row lists
 * built on the GPU (the default: the host only cuts the batches) and, for comparison, by the host
 * planner (in workers, and inline): the planning time, the submitting thread's critical path (waiting for plans,
 * list uploads, encoding, submits), upload bytes, and the kernels' byte and flop counts; per epoch
 * the dispatches, submissions and readbacks; and a timeline (text, and SVG with `--svg`) of the
 * planner, the host and the device, which shows which of them is the critical path.
 *
 * Two clocks: wall time (what the timeline shows) and, on Linux, the submitting thread's own CPU
 * time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), which leaves out the time it is blocked or
 * descheduled by other processes: that CPU time per step is the host's critical-path work. On a
 * software adapter (lavapipe) `queue.submit` returns only when the device has run the previous
 * submission, so the submit column's wall time is device time there; its CPU time is not.
 *
 * On a software adapter the device spans are the CPU running the kernels (and it competes with
 * the host for cores): read the host columns, not the device ones. On a GPU the same run shows
 * whether the host keeps up.
 *
 * Usage: `deno run -A bench/gpu_host.ts [--pairs N] [--batch B] [--dim D] [--hidden H]
 * [--row-lists gpu,worker,inline] [--warmup E] [--epochs E] [--out FILE] [--svg FILE]` (the
 * default model unless `--dim` / `--hidden` narrow it; all three list builders unless
 * `--row-lists` picks some; `--warmup` epochs, default 1, run before the measured ones so that
 * compiled code, not the JavaScript engine's first runs, is measured; the host times are summed
 * over `--epochs` measured epochs, default 1, so that a garbage collection or a preemption
 * weighs less).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { totalCost } from "../src/gpu/cost.ts";
import { GpuBackend } from "../src/gpu/gpu_backend.ts";
import {
  addHostTimes,
  criticalMsPerStep,
  hostCpuMsPerStep,
  type HostTimes,
  renderTimeline,
} from "../src/gpu/timeline.ts";
import { hasWebGpu } from "../src/compute/open_backend.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../src/model/types.ts";
import { bagWorkload } from "./lib/bag_workload.ts";
import { HOST_NOTE, type HostRun, hostTable } from "./lib/host_section.ts";
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
      "row-lists": { type: "string", default: "gpu,worker,inline" },
      warmup: { type: "string", default: "1" },
      epochs: { type: "string", default: "1" },
      out: { type: "string" },
      svg: { type: "string" },
    },
  });
  const modes = String(v["row-lists"]).split(",").map((m) => m.trim());
  for (const m of modes) {
    if (m !== "gpu" && m !== "worker" && m !== "inline") {
      throw new Error(`Cannot measure --row-lists '${m}': use gpu, worker or inline`);
    }
  }
  const warmup = Number(v.warmup), epochs = Math.max(1, Number(v.epochs));
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
  for (const planning of modes as HostRun["planning"][]) {
    const b = await GpuBackend.create(cfg, {
      rowLists: planning === "gpu" ? "gpu" : "host",
      planWorkers: planning === "inline" ? 0 : undefined,
      timestamps: true,
    });
    device = b.deviceName;
    try {
      await b.load(features);
      await b.setParams(params);
      const train = { ...DEFAULT_TRAIN, batchSize: batch };
      for (let e = 0; e < warmup; e++) await b.trainEpoch(set, order, train);
      b.trace = true;
      // Host times summed over the measured epochs (the kernels and counts are the last one's).
      let epochMs = 0, sum: HostTimes | null = null;
      for (let e = 0; e < epochs; e++) {
        const t0 = performance.now();
        await b.trainEpoch(set, order, train);
        epochMs += (performance.now() - t0) / epochs;
        sum = sum ? addHostTimes(sum, b.lastCost!.host!) : b.lastCost!.host!;
      }
      const c = b.lastCost!, k = totalCost(c), h = sum!, steps = h.steps;
      const per = (x: number) => x / steps;
      runs.push({
        planning,
        steps,
        planMsPerStep: h.planMs / steps,
        criticalMsPerStep: criticalMsPerStep(h),
        waitMsPerStep: h.waitMs / steps,
        uploadMsPerStep: h.uploadMs / steps,
        recordMsPerStep: h.recordMs / steps,
        submitMsPerStep: h.submitMs / steps,
        hostCpuMsPerStep: hostCpuMsPerStep(h),
        cpuMsPerStep: h.cpu
          ? {
            wait: per(h.cpu.wait),
            upload: per(h.cpu.upload),
            encode: per(h.cpu.encode),
            finish: per(h.cpu.finish),
            submit: per(h.cpu.submit),
          }
          : null,
        uploadBytesPerStep: c.uploadBytes / c.host!.steps,
        kernelBytesPerStep: k.bytes / c.host!.steps,
        kernelFlopsPerStep: k.flops / c.host!.steps,
        dispatchesPerEpoch: c.dispatches,
        submissionsPerEpoch: c.submissions,
        readbacksPerEpoch: c.readbacks,
        epochMs,
        timeline: renderTimeline(b.lastTimeline),
      });
      if (planning === modes[0]) svg = timelineSvg(b.lastTimeline, `${device}: ${pairs} pairs`);
    } finally {
      b.destroy();
    }
  }
  const result = {
    device,
    model: { buckets: cfg.buckets, dim: cfg.dim, hidden: cfg.hidden },
    pairs,
    batch,
    warmupEpochs: warmup,
    measuredEpochs: epochs,
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
    console.log(HOST_NOTE);
    for (const run of runs) console.log(`\n${run.planning} row lists\n${run.timeline}`);
  }
}

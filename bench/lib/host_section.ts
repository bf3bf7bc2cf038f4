/**
 * The `host` section of `deno task bench`: runs `bench/gpu_host.ts` in a child process (its own
 * WebGPU device) and returns its figures, with the SVG timeline of the epoch whose touched-row
 * lists the GPU builds.
 *
 * @module
 */
import { denoRun, tail } from "./subprocess.ts";

/** One planning mode's figures. */
export interface HostRun {
  /** Where the touched-row lists were built: on the GPU, or by the host planner in workers / inline. */
  planning: "gpu" | "worker" | "inline";
  steps: number;
  /** ms per step. */
  planMsPerStep: number;
  criticalMsPerStep: number;
  waitMsPerStep: number;
  uploadMsPerStep: number;
  recordMsPerStep: number;
  submitMsPerStep: number;
  /**
   * The submitting thread's CPU time per step (plan or wait, upload, encode, finish, submit): the
   * host's critical-path work; null where the thread's clock is unreadable.
   */
  hostCpuMsPerStep: number | null;
  /** The submitting thread's CPU time per step, by span (null where unreadable). */
  cpuMsPerStep: Record<"wait" | "upload" | "encode" | "finish" | "submit", number> | null;
  uploadBytesPerStep: number;
  kernelBytesPerStep: number;
  kernelFlopsPerStep: number;
  dispatchesPerEpoch: number;
  submissionsPerEpoch: number;
  readbacksPerEpoch: number;
  /** Epoch wall time (ms), device included. */
  epochMs: number;
  timeline: string;
}

/**
 * A table of the runs, for the console and BENCHMARKS.md.
 *
 * @param runs The runs.
 * @returns Markdown lines.
 */
export function hostTable(runs: readonly HostRun[]): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    "| row lists | host CPU ms/step (plan or wait + upload + encode + finish + submit) | wall ms/step (plan, wait + upload + record + submit) | upload KB/step | kernel MB/step | kernel GFLOP/step | dispatches / submissions / readbacks per epoch |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of runs) {
    const c = r.cpuMsPerStep;
    const cpu = c && r.hostCpuMsPerStep !== null
      ? `${f(r.hostCpuMsPerStep, 3)} (${f(c.wait, 3)} + ${f(c.upload, 3)} + ${f(c.encode, 3)} + ${
        f(c.finish, 3)
      } + ${f(c.submit, 3)})`
      : "not measured";
    lines.push(
      `| ${r.planning} | ${cpu} | plan ${f(r.planMsPerStep)}, ${f(r.criticalMsPerStep)} (${
        f(r.waitMsPerStep)
      } + ${f(r.uploadMsPerStep)} + ${f(r.recordMsPerStep)} + ${f(r.submitMsPerStep)}) | ${
        f(r.uploadBytesPerStep / 1e3, 1)
      } | ${f(r.kernelBytesPerStep / 1e6, 1)} | ${
        f(r.kernelFlopsPerStep / 1e9, 3)
      } | ${r.dispatchesPerEpoch} / ${r.submissionsPerEpoch} / ${r.readbacksPerEpoch} |`,
    );
  }
  return lines.join("\n");
}

/** How to read the table (printed under it). */
export const HOST_NOTE =
  "Host CPU: the submitting thread's own CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), " +
  "which leaves out the time it was blocked or descheduled: the host's critical-path work per " +
  "step. Wall times include the waits: on a software adapter (lavapipe) queue.submit returns " +
  "only when the device has run the previous submission (the thread sleeps meanwhile), and the " +
  "thread shares the cores with the adapter's threads and other processes.";

/**
 * @param root The repository root.
 * @param pairs Pairs in the measured epoch.
 * @param timeoutS Time limit.
 * @returns The figures (`bench/gpu_host.ts`'s JSON plus `svg`), or `{ error }`.
 */
export async function runHostSection(
  root: string,
  pairs: number,
  timeoutS = 600,
): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-bench-host-" });
  try {
    const [cmd, args] = denoRun(`${root}/bench/gpu_host.ts`, [
      "--pairs",
      String(pairs),
      "--out",
      `${dir}/host.json`,
      "--svg",
      `${dir}/timeline.svg`,
    ]);
    const child = new Deno.Command(cmd, { args, cwd: root, stdout: "piped", stderr: "piped" })
      .spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutS * 1e3);
    const out = await child.output().finally(() => clearTimeout(timer));
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (!out.success) return { error: `gpu_host.ts exited ${out.code}: ${tail(text)}` };
    const json = JSON.parse(await Deno.readTextFile(`${dir}/host.json`));
    return { ...json, svg: await Deno.readTextFile(`${dir}/timeline.svg`) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

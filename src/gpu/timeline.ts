/**
 * Where the time of a GPU epoch goes on the host, segment by segment: when each segment was
 * planned (in the planning worker, off the critical path), how long the submitting thread waited
 * for it, recorded its commands and uploaded its lists, and (when traced) when the device
 * ran it (GPU timestamps). `renderTimeline` draws it as text, so a run on any machine shows whether the host
 * or the device is the critical path.
 *
 * @module
 */

/** One segment's times, in wall-clock ms (comparable across threads). */
export interface SegmentTiming {
  steps: number;
  pairs: number;
  /** Planning, in the worker (or inline). */
  planStart: number;
  planEnd: number;
  /** The submitting thread asked for the segment / had it. */
  waitStart: number;
  waitEnd: number;
  /**
   * Upload of the segment's lists (writeBuffer), then encoding (recording the dispatches, and
   * `finish()`: the WebGPU implementation's and driver's encoding), then the submit call.
   */
  uploadEnd: number;
  recordEnd: number;
  submitEnd: number;
  /** End of the dispatches' recording, before `finish()` (when measured). */
  encodeEnd?: number;
  /** The submitting thread's CPU time in each span (when the thread's clock can be read). */
  cpu?: HostCpu;
  /** The device ran the segment (only when traced on a device with GPU timestamps). */
  deviceStart?: number;
  deviceDone?: number;
  uploadBytes: number;
}

/**
 * CPU time of the submitting thread, in ms: what it computed, without the time it was blocked
 * (waiting for a worker's plan, or in a submit that waits for the device).
 */
export interface HostCpu {
  /** Getting the segment's plan (planning itself when it runs inline). */
  wait: number;
  /** Writing the segment's inputs (writeBuffer). */
  upload: number;
  /** Recording the dispatches (JavaScript calls into the WebGPU implementation). */
  encode: number;
  /** `finish()`: the implementation validates the commands and the driver encodes them. */
  finish: number;
  /** `queue.submit`. */
  submit: number;
}

/** Host time of one epoch, summed over segments, in ms. */
export interface HostTimes {
  steps: number;
  /** Planning time (in the worker when `offThread`). */
  planMs: number;
  offThread: boolean;
  /** The submitting thread waiting for plans (critical path; includes inline planning). */
  waitMs: number;
  /** Uploading lists (critical path). */
  uploadMs: number;
  /** Encoding commands (critical path). */
  recordMs: number;
  /** queue.submit calls (critical path). */
  submitMs: number;
  /** The submitting thread's CPU time (when measured for every segment). */
  cpu?: HostCpu;
}

/**
 * Sums a timeline into host times.
 *
 * @param t The segments.
 * @param offThread Whether planning ran in a worker.
 * @returns The totals.
 * @example
 * ```ts
 * import { criticalMsPerStep, hostTimes } from "./timeline.ts";
 * const h = hostTimes([{ steps: 2, pairs: 8, planStart: 0, planEnd: 3, waitStart: 1,
 *   waitEnd: 3, uploadEnd: 4, recordEnd: 6, submitEnd: 7, uploadBytes: 10 }], true);
 * if (h.waitMs !== 2 || h.recordMs !== 2 || criticalMsPerStep(h) !== 3) throw new Error();
 * ```
 */
export function hostTimes(t: readonly SegmentTiming[], offThread: boolean): HostTimes {
  const h: HostTimes = {
    steps: 0,
    planMs: 0,
    offThread,
    waitMs: 0,
    uploadMs: 0,
    recordMs: 0,
    submitMs: 0,
  };
  for (const s of t) {
    h.steps += s.steps;
    h.planMs += s.planEnd - s.planStart;
    h.waitMs += s.waitEnd - s.waitStart;
    h.uploadMs += s.uploadEnd - s.waitEnd;
    h.recordMs += s.recordEnd - s.uploadEnd;
    h.submitMs += s.submitEnd - s.recordEnd;
  }
  if (t.length > 0 && t.every((s) => s.cpu)) {
    const cpu: HostCpu = { wait: 0, upload: 0, encode: 0, finish: 0, submit: 0 };
    for (const s of t) {
      for (const k of Object.keys(cpu) as (keyof HostCpu)[]) cpu[k] += s.cpu![k];
    }
    h.cpu = cpu;
  }
  return h;
}

/**
 * The submitting thread's work per step that the device cannot overlap: waiting for plans,
 * uploads, encoding and submits (inline planning runs inside the wait).
 *
 * @param h Host times of an epoch.
 * @returns Milliseconds per step.
 */
export function criticalMsPerStep(h: HostTimes): number {
  return h.steps ? (h.waitMs + h.uploadMs + h.recordMs + h.submitMs) / h.steps : 0;
}

/**
 * Adds two epochs' host times (e.g. of several measured epochs).
 *
 * @param a One epoch's (or epochs') times.
 * @param b Another's.
 * @returns The sums; CPU times only when both have them.
 */
export function addHostTimes(a: HostTimes, b: HostTimes): HostTimes {
  const h: HostTimes = {
    steps: a.steps + b.steps,
    planMs: a.planMs + b.planMs,
    offThread: a.offThread,
    waitMs: a.waitMs + b.waitMs,
    uploadMs: a.uploadMs + b.uploadMs,
    recordMs: a.recordMs + b.recordMs,
    submitMs: a.submitMs + b.submitMs,
  };
  if (a.cpu && b.cpu) {
    const cpu = { ...a.cpu };
    for (const k of Object.keys(cpu) as (keyof HostCpu)[]) cpu[k] += b.cpu[k];
    h.cpu = cpu;
  }
  return h;
}

/**
 * The submitting thread's CPU time per step: getting plans (planning, when inline), uploads,
 * recording, `finish()` and submits. That is the host's critical-path work: what the thread
 * computes, without the time it waits (for a worker's plan, or in a submit that returns only
 * when the device has caught up) or is descheduled by other processes.
 *
 * @param h Host times of an epoch.
 * @returns Milliseconds per step, or null when the thread's CPU time was not measured.
 * @example
 * ```ts
 * import { hostCpuMsPerStep } from "./timeline.ts";
 * const cpu = { wait: 1, upload: 1, encode: 1, finish: 1, submit: 2 };
 * const h = { steps: 3, planMs: 0, offThread: false, waitMs: 0, uploadMs: 0, recordMs: 0,
 *   submitMs: 0, cpu };
 * if (hostCpuMsPerStep(h) !== 2) throw new Error();
 * ```
 */
export function hostCpuMsPerStep(h: HostTimes): number | null {
  if (!h.cpu || h.steps === 0) return null;
  const c = h.cpu;
  return (c.wait + c.upload + c.encode + c.finish + c.submit) / h.steps;
}

/**
 * Draws a timeline as text: one row per segment with the planner's, the submitting thread's and
 * (when traced) the device's spans on a shared time axis.
 *
 * @param t The segments.
 * @param width Characters of the time axis.
 * @returns Lines of text.
 * @example
 * ```ts
 * import { renderTimeline } from "./timeline.ts";
 * const text = renderTimeline([{ steps: 1, pairs: 4, planStart: 0, planEnd: 5, waitStart: 0,
 *   waitEnd: 5, uploadEnd: 6, recordEnd: 8, submitEnd: 9, deviceDone: 20, uploadBytes: 1 }], 20);
 * if (!text.includes("p") || !text.includes("=")) throw new Error(text);
 * ```
 */
export function renderTimeline(t: readonly SegmentTiming[], width = 72): string {
  if (t.length === 0) return "(no segments)";
  const t0 = Math.min(...t.map((s) => Math.min(s.planStart, s.waitStart)));
  const t1 = Math.max(...t.map((s) => s.deviceDone ?? s.submitEnd));
  const span = Math.max(t1 - t0, 1e-6);
  const col = (x: number) => Math.min(width - 1, Math.floor(((x - t0) / span) * width));
  const bar = (spans: [number, number, string][]) => {
    const row = Array.from({ length: width }, () => " ");
    for (const [a, b, ch] of spans) {
      for (let i = col(a); i <= col(Math.max(a, b)); i++) row[i] = ch;
    }
    return row.join("");
  };
  const lines = [
    `timeline over ${span.toFixed(1)} ms (${(span / width).toFixed(2)} ms per column): ` +
    "p plan (in a worker, or inline), w host waits for a plan, u upload, r record+submit, " +
    "= device runs the segment",
  ];
  t.forEach((s, i) => {
    lines.push(`seg ${String(i).padStart(3)} plan |${bar([[s.planStart, s.planEnd, "p"]])}|`);
    lines.push(
      `        host |${
        bar([[s.waitStart, s.waitEnd, "w"], [s.waitEnd, s.uploadEnd, "u"], [
          s.uploadEnd,
          s.submitEnd,
          "r",
        ]])
      }|`,
    );
    if (s.deviceDone !== undefined) {
      lines.push(`      device |${bar([[s.deviceStart ?? s.submitEnd, s.deviceDone, "="]])}|`);
    }
  });
  return lines.join("\n");
}

/**
 * The Worker side of `plan_ahead.ts`: holds the loaded features (shared memory, one copy for all
 * workers) and plans its share of each epoch's segments (those whose index is its number modulo
 * the number of workers), posting each segment (its lists transferred, not copied) as soon as it
 * is built, at most `MAX_AHEAD` segments ahead of the ones the submitting thread acknowledged.
 *
 * Messages in: `load` (features, model shape, table and binding sizes), `epoch` (the set, order,
 * batch size, first step, steps per segment and the worker's share), `ack` (one of its segments
 * consumed), `cancel`.
 * Messages out: `segment` (the plan, with the planning time), `done`, `error`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { ModelConfig, PairFeatures, TrainSet } from "../model/types.ts";
import { type SegmentPlan, TrainPlanner } from "./train_plan.ts";

/** Segments a worker may post before the submitting thread acknowledges them. */
export const MAX_AHEAD = 4;

/** A request to the planning worker. */
export type PlanRequest =
  | {
    type: "load";
    features: PairFeatures;
    cfg: ModelConfig;
    rowsPerChunk: number;
    maxEntries: number;
  }
  | {
    type: "epoch";
    id: number;
    set: TrainSet;
    order: Uint32Array;
    batchSize: number;
    firstStep: number;
    maxSteps: number;
    worker: number;
    workers: number;
  }
  | { type: "ack"; id: number }
  | { type: "cancel"; id: number };

/** A reply of the planning worker. */
export type PlanReply =
  | {
    type: "segment";
    id: number;
    seg: SegmentPlan;
    /** Wall-clock start and end of planning (ms since the Unix epoch, sub-ms precision). */
    start: number;
    end: number;
  }
  | { type: "done"; id: number }
  | { type: "error"; id: number; name: string; message: string };

/** Wall-clock milliseconds comparable across threads. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function _transfers(seg: SegmentPlan): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [seg.pairs, seg.targets, seg.rows, seg.blocks, seg.contribs]) {
    out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  let planner: TrainPlanner | null = null;
  let current = -1, acked = 0, posted = 0;
  let wake: (() => void) | null = null;
  const post = (r: PlanReply, transfer: ArrayBuffer[] = []) => self.postMessage(r, transfer);

  const runEpoch = async (r: Extract<PlanRequest, { type: "epoch" }>) => {
    current = r.id;
    acked = 0;
    posted = 0;
    try {
      if (!planner) throw new Error("Cannot plan an epoch as no features were sent to the worker");
      const share = { worker: r.worker, workers: r.workers };
      const it = planner.segments(
        r.set,
        r.order,
        r.batchSize,
        r.firstStep,
        r.maxSteps,
        true,
        share,
      );
      while (true) {
        while (posted - acked >= MAX_AHEAD && current === r.id) {
          await new Promise<void>((resolve) => wake = resolve);
        }
        if (current !== r.id) return;
        const start = wallMs();
        const next = it.next();
        if (next.done) break;
        const seg = next.value;
        post({ type: "segment", id: r.id, seg, start, end: wallMs() }, _transfers(seg));
        posted++;
      }
      post({ type: "done", id: r.id });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: "error", id: r.id, name: err.name, message: err.message });
    }
  };

  self.onmessage = (e: MessageEvent<PlanRequest>) => {
    const r = e.data;
    if (r.type === "load") {
      planner = new TrainPlanner(r.features, r.cfg, r.rowsPerChunk, r.maxEntries);
    } else if (r.type === "epoch") {
      wake?.(); // a loop still waiting on an older epoch sees `current` change and ends
      wake = null;
      runEpoch(r);
    } else if (r.id === current) {
      if (r.type === "ack") acked++;
      else current = -1;
      wake?.();
      wake = null;
    }
  };
}

// Helpers for the server tests: a tiny model trained by the `train` stage, and a running server.
import { join } from "node:path";
import { pairBatch } from "../../src/data/schema.ts";
import type { Batch } from "../../src/contracts/types.ts";
import * as train from "../../src/stages/train.ts";
import { type RunningServer, SERVE_DEFAULTS, startServer } from "../../src/serve/server.ts";
import type { ServeOptions } from "../../src/serve/server.ts";
import { modelContext, runStage } from "../model/_context.ts";
import { toyRows } from "../model/_fixtures.ts";

/** The tiny model's shape and training. */
export const MODEL = { buckets: 2048, dim: 8, hidden: 8 };
const TRAIN = { epochs: 3, batch: 32, lr: 0.03 };

/** Toy pairs: a seed split to train on and a test split to score. */
export function toyBatches(seed = 1): Batch[] {
  return [pairBatch([...toyRows(120, seed, "seed"), ...toyRows(40, seed + 1, "test")])];
}

/**
 * Trains the tiny model into `<dir>/checkpoints/<stageId>.ckpt`.
 *
 * @returns The checkpoint path.
 */
export async function trainInto(dir: string, stageId = "train", seed = 1): Promise<string> {
  const ctx = modelContext(dir, { stageId, seed });
  await runStage(train, { model: MODEL, train: TRAIN }, ctx, toyBatches(seed));
  return join(dir, "checkpoints", `${stageId}.ckpt`);
}

/** A logger that keeps its lines. */
export function memoryLog() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  return {
    lines,
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

/** Runs `fn` against a server on a free loopback port, then shuts it down. */
export async function withServer(
  target: string,
  over: Partial<ServeOptions>,
  fn: (s: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer({
    ...SERVE_DEFAULTS,
    limits: { ...SERVE_DEFAULTS.limits },
    target,
    port: 0,
    backend: "cpu",
    follow: false,
    normalize: false,
    log: memoryLog().log,
    ...over,
  });
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

/** POSTs JSON and returns the status and parsed body. */
export async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** A temporary run directory for `fn`. */
export async function withRunDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-serve-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

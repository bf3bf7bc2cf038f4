/** Helpers for pool tests: temporary pools, small pair batches, a stage context, subprocesses. */
import { join } from "node:path";
import { concatMap, from, type Observable } from "rxjs";
import { fileURLToPath } from "node:url";
import type { Batch, StageContext } from "../../src/contracts/types.ts";
import { pairBatch, type PairRow, type Split } from "../../src/data/schema.ts";
import { Pool } from "../../src/pool/pool.ts";
import { stageRng } from "../../src/contracts/rng.ts";

/** The repository root (subprocesses run there, so `deno.json` applies). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** @returns A path for a new pool file in a fresh temporary directory. */
export function tempPoolPath(): string {
  return join(Deno.makeTempDirSync({ prefix: "serflow-pool-" }), "pool.duckdb");
}

/** Opens a fresh file pool, passes it to `fn` and closes it. */
export async function withTempPool<T>(fn: (pool: Pool, path: string) => Promise<T>): Promise<T> {
  const path = tempPoolPath();
  const pool = await Pool.open(path);
  try {
    return await fn(pool, path);
  } finally {
    await pool.close();
  }
}

/** @returns `n` pairs: the first `seed` labelled seed pairs, then unlabelled ones (gold set), then test. */
export function pairs(
  n: number,
  opts: { seed?: number; test?: number; prefix?: string } = {},
): PairRow[] {
  const seed = opts.seed ?? 2, test = opts.test ?? 0, prefix = opts.prefix ?? "p";
  return Array.from({ length: n }, (_, i) => {
    const split: Split = i < seed ? "seed" : i >= n - test ? "test" : "unlabelled";
    const y = (i % 3 === 0 ? -1 : 1) as 1 | -1;
    return {
      pair_id: `${prefix}${String(i).padStart(4, "0")}`,
      group_id: `g${i % 4}`,
      prompt: `Question ${i}: how do I\tdo thing ${i}?`,
      response_a: `Answer A to ${i}, "quoted", with ünïcode`,
      response_b: `Answer B to ${i}\nover two lines`,
      label: split === "seed" ? y : null,
      split,
      gold: split === "seed" ? null : y,
      source: `data/pairs.jsonl:${i + 1}`,
    };
  });
}

/** @returns A pair batch of `pairs(n, opts)`. */
export function pairsBatch(n: number, opts?: Parameters<typeof pairs>[1]): Batch {
  return pairBatch(pairs(n, opts));
}

/** A stage context whose resources really open and close (like the runtime's). */
export interface PoolTestContext extends StageContext {
  /** Closes the resources, as the runtime does at the end of a run. */
  closeAll(): Promise<void>;
  abort: AbortController;
  logs: string[];
}

/** @returns A context for a run `runId` in `runDir`. */
export function poolContext(runDir: string, runId = "run-1"): PoolTestContext {
  const items = new Map<string, { value: Promise<unknown>; close?: (v: unknown) => unknown }>();
  const abort = new AbortController();
  const logs: string[] = [];
  const log = (msg: string) => logs.push(msg);
  return {
    stageId: "pool",
    runId,
    pipeline: { name: "demo", seed: 7, dir: ROOT, config: { name: "demo", seed: 7 } },
    runDir,
    rng: stageRng(7, "pool"),
    backend: "cpu",
    resume: false,
    signal: abort.signal,
    abort,
    logs,
    log: { debug: log, info: log, warn: log, error: log },
    progress: () => ({ tick() {}, update() {}, status() {}, done() {} }),
    resources: {
      get<T>(key: string, open: () => Promise<T>, close?: (v: T) => Promise<void> | void) {
        if (!items.has(key)) {
          items.set(key, { value: open(), close: close as (v: unknown) => unknown });
        }
        return items.get(key)!.value as Promise<T>;
      },
    },
    inputs: [],
    source: (it) => from(it as Iterable<Batch>),
    mapAsync: (fn) => (src: Observable<Batch>) =>
      src.pipe(
        concatMap(async (b, i) => {
          const out = await fn(b, i);
          return out === null ? [] : Array.isArray(out) ? out : [out];
        }),
        concatMap((bs) => from(bs)),
      ),
    async closeAll() {
      for (const { value, close } of [...items.values()].reverse()) await close?.(await value);
      items.clear();
    },
  };
}

/** Collects what a `CliIo` receives. */
export function captureIo(columns = 120) {
  const out: string[] = [], err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      columns: () => columns,
    },
  };
}

/**
 * Starts a fixture script (`tests/pool/_fixtures/<name>`) in a child Deno and resolves once it
 * printed `line`; the child keeps running.
 */
export async function startFixture(name: string, args: string[], line: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      join(ROOT, "tests/pool/_fixtures", name),
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(line)) {
    const r = await reader.read();
    if (r.done) {
      const err = await new Response(child.stderr).text();
      throw new Error(`fixture ${name} ended before printing '${line}': ${seen}\n${err}`);
    }
    seen += r.value;
  }
  return {
    child,
    output: seen,
    /** Closes the child's stdin and waits for it to exit, releasing its pipes. */
    async finish() {
      await child.stdin.close();
      const status = await child.status;
      await reader.cancel();
      await child.stderr.cancel();
      return status;
    },
    /** Kills the child with `signal` and waits for it, releasing its pipes. */
    async kill(signal: Deno.Signal = "SIGKILL") {
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      await reader.cancel();
      await child.stderr.cancel();
      await child.stdin.close().catch(() => {});
      return await child.status;
    },
  };
}

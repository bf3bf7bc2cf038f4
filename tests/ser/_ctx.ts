/** A minimal stage context for SER and report stage tests, and a runner for one stage. */
import { concatMap, from, lastValueFrom, type Observable, toArray } from "rxjs";
import type { Batch, StageContext, StageModule } from "../../src/contracts/types.ts";
import { checkFields } from "../../src/pipeline/fields.ts";
import { stageRng } from "../../src/contracts/rng.ts";

/** A context whose log lines are kept in `logs`, with resources closed by `close()`. */
export interface TestContext extends StageContext {
  logs: string[];
  close(): Promise<void>;
}

/** @returns A context for stage `stageId` writing below `runDir` (a new temp dir by default). */
export function testContext(
  opts: {
    runDir?: string;
    stageId?: string;
    seed?: number;
    resume?: boolean;
    signal?: AbortSignal;
    runId?: string;
    /** Called with every log line (e.g. to abort the run at a given point). */
    onLog?: (line: string) => void;
  } = {},
): TestContext {
  const seed = opts.seed ?? 7, stageId = opts.stageId ?? "evolve";
  const logs: string[] = [];
  const opened = new Map<string, { value: Promise<unknown>; close?: (v: unknown) => unknown }>();
  const at = (level: string) => (msg: string) => {
    logs.push(`${level}: ${msg}`);
    opts.onLog?.(`${level}: ${msg}`);
  };
  const progress = { tick() {}, update() {}, status() {}, done() {} };
  return {
    stageId,
    runId: opts.runId ?? "test-run",
    pipeline: { name: "test-pipeline", seed, dir: ".", config: {} },
    runDir: opts.runDir ?? Deno.makeTempDirSync({ prefix: "serflow-ser-" }),
    rng: stageRng(seed, stageId),
    backend: "cpu",
    resume: opts.resume ?? false,
    signal: opts.signal ?? new AbortController().signal,
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    progress: () => progress,
    resources: {
      get<T>(key: string, open: () => Promise<T>, close?: (v: T) => unknown): Promise<T> {
        if (!opened.has(key)) {
          opened.set(key, { value: open(), close: close as (v: unknown) => unknown });
        }
        return opened.get(key)!.value as Promise<T>;
      },
    },
    inputs: [],
    source: (items) => from(items as AsyncIterable<Batch>),
    mapAsync: (fn) => (src: Observable<Batch>) =>
      src.pipe(
        concatMap(async (b, i) => {
          const out = await fn(b, i);
          return out === null ? [] : Array.isArray(out) ? out : [out];
        }),
        concatMap((bs) => from(bs)),
      ),
    logs,
    async close() {
      for (const [, r] of [...opened].reverse()) await r.close?.(await r.value);
      opened.clear();
    },
  };
}

/** Validates `withBlock` against the stage's spec and returns the config with defaults. */
// deno-lint-ignore no-explicit-any
export function configOf(mod: StageModule, withBlock: Record<string, unknown> = {}): any {
  const problems: string[] = [];
  const cfg = checkFields(withBlock, mod.spec.fields, [], (m) => problems.push(m));
  if (problems.length > 0) throw new TypeError(`invalid test config: ${problems.join("; ")}`);
  return cfg;
}

/** Runs a stage on `input` and collects what it emits. */
export function runStage(
  mod: StageModule,
  withBlock: Record<string, unknown>,
  ctx: StageContext,
  input: Batch[],
): Promise<Batch[]> {
  return lastValueFrom(mod.operator(configOf(mod, withBlock), ctx)(from(input)).pipe(toArray()));
}

/** Helpers for data tests: a minimal stage context, config defaults, and running a stage. */
import { concatMap, from, lastValueFrom, type Observable, toArray } from "rxjs";
import { fileURLToPath } from "node:url";
import type { Batch, StageContext, StageModule, StageSpec } from "../../src/contracts/types.ts";
import { checkFields } from "../../src/pipeline/fields.ts";
import { stageRng } from "../../src/contracts/rng.ts";
import type { RejectRow } from "../../src/data/read_pairs.ts";

/** Folder of the hand-written data fixtures. */
export const FIXTURES = fileURLToPath(new URL("../testdata/data/", import.meta.url));

/** One log call captured by the test context. */
export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields?: Record<string, unknown>;
}

/** A stage context that records its log and hands out a fake pool that keeps rejects. */
export interface TestContext extends StageContext {
  logs: LogEntry[];
  rejects: RejectRow[];
}

/** @returns A context for a stage with id `stageId`, pipeline seed `seed`, pipeline folder `dir`. */
export function testContext(
  opts: { seed?: number; dir?: string; stageId?: string } = {},
): TestContext {
  const seed = opts.seed ?? 7;
  const stageId = opts.stageId ?? "data";
  const logs: LogEntry[] = [];
  const rejects: RejectRow[] = [];
  const opened = new Map<string, unknown>();
  // The fake pool answers `recordRejects` whatever the key the pool module asks for.
  const fakePool = {
    recordRejects: (rows: RejectRow[]) => {
      rejects.push(...rows);
      return Promise.resolve();
    },
  };
  const logAt = (level: LogEntry["level"]) => (msg: string, fields?: Record<string, unknown>) =>
    logs.push({ level, msg, fields });
  const progress = { tick() {}, update() {}, status() {}, done() {} };
  return {
    stageId,
    runId: "test-run",
    pipeline: { name: "test", seed, dir: opts.dir ?? FIXTURES, config: {} },
    runDir: "/nonexistent/serflow-data-test-run", // the data stages write nothing there
    rng: stageRng(seed, stageId),
    backend: "cpu",
    resume: false,
    signal: new AbortController().signal,
    log: { debug: logAt("debug"), info: logAt("info"), warn: logAt("warn"), error: logAt("error") },
    progress: () => progress,
    resources: {
      get<T>(key: string, open: () => Promise<T>): Promise<T> {
        if (!opened.has(key)) opened.set(key, key === "pool" ? fakePool : undefined);
        return Promise.resolve((opened.get(key) ?? open()) as T);
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
    rejects,
  };
}

/**
 * Validates `withBlock` against `spec` (the pipeline loader's own checker) and returns the config
 * with defaults filled in; throws on the first problem.
 */
// deno-lint-ignore no-explicit-any
export function configOf(spec: StageSpec, withBlock: Record<string, unknown> = {}): any {
  const problems: string[] = [];
  const cfg = checkFields(withBlock, spec.fields, [], (m) => problems.push(m));
  if (problems.length > 0) throw new TypeError(`invalid test config: ${problems.join("; ")}`);
  return cfg;
}

/** Runs a stage on `input` batches (none for a source) and collects everything it emits. */
export function runStage(
  mod: StageModule,
  withBlock: Record<string, unknown>,
  ctx: StageContext,
  input: Batch[] = [],
): Promise<Batch[]> {
  const op = mod.operator(configOf(mod.spec, withBlock), ctx);
  return lastValueFrom(op(from(input)).pipe(toArray()));
}

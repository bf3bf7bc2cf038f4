// A minimal stage context for the model stages, and a helper that runs a stage on batches.
import { concatMap, from, lastValueFrom, type Observable, toArray } from "rxjs";
import type { Batch, StageContext, StageModule } from "../../src/contracts/types.ts";
import { checkFields } from "../../src/pipeline/fields.ts";
import { stageRng } from "../../src/contracts/rng.ts";

/** One captured log line. */
export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A context whose log lines are kept in `logs`. */
export interface ModelTestContext extends StageContext {
  logs: LogLine[];
}

/** @returns A CPU-backend context for stage `stageId`, writing under `runDir`. */
export function modelContext(
  runDir: string,
  opts: { stageId?: string; seed?: number; runId?: string; dir?: string } = {},
): ModelTestContext {
  const stageId = opts.stageId ?? "stage";
  const seed = opts.seed ?? 7;
  const logs: LogLine[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    logs.push({ level, msg, fields });
  };
  const progress = { tick() {}, update() {}, status() {}, done() {} };
  return {
    stageId,
    runId: opts.runId ?? "run-1",
    pipeline: { name: "t", seed, dir: opts.dir ?? runDir, config: {} },
    runDir,
    rng: stageRng(seed, stageId),
    backend: "cpu",
    resume: false,
    signal: new AbortController().signal,
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    progress: () => progress,
    resources: { get: (_key, open) => open() },
    inputs: [],
    source: (items) => from(items as Iterable<Batch>),
    mapAsync: (fn) => (src: Observable<Batch>) =>
      src.pipe(
        concatMap(async (b, i) => {
          const out = await fn(b, i);
          return out === null ? [] : Array.isArray(out) ? out : [out];
        }),
        concatMap((bs) => from(bs)),
      ),
    logs,
  };
}

/** Validates `withBlock` against the stage's spec (as the loader does), runs it, collects its output. */
export function runStage(
  mod: StageModule,
  withBlock: Record<string, unknown>,
  ctx: StageContext,
  input: Batch[],
): Promise<Batch[]> {
  const problems: string[] = [];
  const cfg = checkFields(withBlock, mod.spec.fields, [], (m) => problems.push(m));
  if (problems.length > 0) throw new TypeError(`invalid config: ${problems.join("; ")}`);
  return lastValueFrom(mod.operator(cfg, ctx)(from(input)).pipe(toArray()));
}

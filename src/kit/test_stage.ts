/**
 * `testStage`: runs a stage on plain row objects and returns plain row objects, for unit tests
 * of a stage without a pipeline.
 *
 * @module
 */
import { from, lastValueFrom, toArray } from "rxjs";
import type { Batch, RunResources, StageModule } from "../contracts/types.ts";
import { batchOf, type Row, rowsOf } from "../data/rows.ts";
import { makeStageContext } from "../pipeline/context.ts";
import { checkFields } from "../pipeline/fields.ts";
import { Gate } from "../pipeline/flow.ts";

/** Options of `testStage`. */
export interface TestStageOptions {
  /** The pipeline seed the stage's generator derives from (default 1). */
  seed?: number;
  /** The stage id (default: the spec's name). */
  stageId?: string;
  /** The run directory (default: a temporary one, removed afterwards). */
  runDir?: string;
  /** Where relative paths in the config resolve (default: the working directory). */
  dir?: string;
  /** Receives the stage's log lines (default: dropped). */
  log?: (level: string, msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Runs `stage` on `rows` (one input batch; columns typed as in `batchOf`) with `config`
 * validated against its spec (defaults filled in), on the CPU backend, and collects its output.
 *
 * @param stage The stage module.
 * @param rows The input rows (ignored by a source stage).
 * @param config The stage's `with:` block.
 * @param opts Seed, ids and directories.
 * @returns Every row the stage emitted, as plain objects.
 * @throws {TypeError} When `config` does not fit the spec (every problem listed).
 * @example
 * ```ts
 * import { testStage } from "../../mod.ts";
 * import { BUILTIN_STAGES } from "../stages/registry.ts";
 * const out = await testStage(BUILTIN_STAGES.head, [{ pair_id: "a" }, { pair_id: "b" }], { rows: 1 });
 * if (out.length !== 1 || out[0].pair_id !== "a") throw new Error();
 * ```
 */
export async function testStage(
  // deno-lint-ignore no-explicit-any
  stage: StageModule<any>,
  rows: readonly Row[],
  config: Record<string, unknown> = {},
  opts: TestStageOptions = {},
): Promise<Row[]> {
  const problems: string[] = [];
  const cfg = checkFields(config, stage.spec.fields, [], (m) => problems.push(m));
  if (problems.length) {
    throw new TypeError(
      `Cannot test stage '${stage.spec.name}' as its config is invalid: ${problems.join("; ")}`,
    );
  }
  const runDir = opts.runDir ?? await Deno.makeTempDir({ prefix: "serflow-test-stage-" });
  const resources = new _Resources();
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    opts.log?.(level, msg, fields);
  const progress = { tick() {}, update() {}, status() {}, done() {} };
  const input = batchOf(rows);
  try {
    const ctx = makeStageContext({
      stageId: opts.stageId ?? stage.spec.name,
      runId: "test-stage",
      pipeline: {
        name: "test-stage",
        seed: opts.seed ?? 1,
        dir: opts.dir ?? Deno.cwd(),
        config: {},
      },
      runDir,
      backend: "cpu",
      resume: false,
      signal: new AbortController().signal,
      log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
      progress: () => progress,
      resources,
      inputs: [from([input])],
      gate: new Gate(),
      room: () => Promise.resolve(false),
    });
    const out: Batch[] = await lastValueFrom(
      stage.operator(cfg, ctx)(from([input])).pipe(toArray()),
    );
    return out.flatMap(rowsOf);
  } finally {
    await resources.close();
    if (!opts.runDir) await Deno.remove(runDir, { recursive: true });
  }
}

class _Resources implements RunResources {
  #open = new Map<string, { value: Promise<unknown>; close?: (v: unknown) => unknown }>();

  get<T>(key: string, open: () => Promise<T>, close?: (v: T) => unknown): Promise<T> {
    if (!this.#open.has(key)) {
      this.#open.set(key, { value: open(), close: close as (v: unknown) => unknown });
    }
    return this.#open.get(key)!.value as Promise<T>;
  }

  async close(): Promise<void> {
    for (const r of [...this.#open.values()].reverse()) {
      const v = await r.value.catch(() => undefined);
      if (v !== undefined) await r.close?.(v);
    }
    this.#open.clear();
  }
}

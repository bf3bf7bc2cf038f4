/**
 * The contracts every stage is written against, at the bottom of the layers (every other folder
 * of `src/` may import them; they import nothing of serflow but the seeded generator): a stage
 * module exports a `spec` (its fields, defaults and docs) and an `operator` factory that turns
 * its typed config and a context into a plain RxJS operator over Arrow record batches. Built-in
 * and user stages share this shape.
 *
 * @module
 */
import type { Observable, OperatorFunction } from "rxjs";
import type { RecordBatch } from "apache-arrow";
import type { Rng } from "./rng.ts";

/** An Arrow record batch flowing between stages (see `src/data/schema.ts` for the pair columns). */
// deno-lint-ignore no-explicit-any
export type Batch = RecordBatch<any>;

/** The type of one configuration field, as validated in pipeline files. */
export type FieldType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "object"
  | "array"
  | "path"
  | "stages"
  | "any";

/** One configuration field of a stage: its type, default, range and documentation. */
export interface FieldSpec {
  type: FieldType;
  description: string;
  /** Used when the pipeline file does not set the field. */
  default?: unknown;
  /** A missing required field is a validation error. */
  required?: boolean;
  /** Allowed values when `type` is `"enum"`. */
  values?: readonly string[];
  /** Inclusive bounds for `integer` and `number`. */
  min?: number;
  max?: number;
  /** Exclusive lower bound (e.g. a learning rate must be > 0). */
  exclusiveMin?: number;
  /** Nested fields when `type` is `"object"`; unknown nested keys are errors. */
  fields?: Record<string, FieldSpec>;
  /** Element type when `type` is `"array"`. */
  items?: FieldSpec;
  /** Also accept a single element where an array is expected (e.g. one path or a list of paths). */
  single?: boolean;
  /**
   * For `type: "stages"` (a list of stage references `{ id?, use, with? }`, resolved and
   * validated like the pipeline's own stages): the stage kinds allowed (default: transforms).
   */
  kinds?: readonly ("source" | "transform" | "sink")[];
}

/**
 * A stage used inside another one (a `stages` field, such as the `ser` stage's `on_selected`),
 * resolved and validated by the loader: its id, its `use:` as written, its module and its
 * config with defaults filled in. It serializes as `{ id, use, with }`.
 */
export interface StageRef {
  id: string;
  use: string;
  module: StageModule;
  config: Record<string, unknown>;
  toJSON(): { id: string; use: string; with: Record<string, unknown> };
}

/** A stage's specification: what it is called, what it takes, and examples that the tests run. */
export interface StageSpec {
  /** The name used in `use:` for built-in stages. */
  name: string;
  /** One line, shown by `validate`, `graph` and the generated docs. */
  summary: string;
  /** Longer Markdown documentation. */
  description?: string;
  /** `source` stages take no input; `sink` stages emit nothing downstream (or pass batches through). */
  kind?: "source" | "transform" | "sink";
  /** How many inputs the stage accepts (default: 0 for sources, exactly 1 otherwise). */
  inputs?: { min: number; max: number };
  fields: Record<string, FieldSpec>;
  /**
   * Checks across fields, run by validation once every field is valid (defaults filled in):
   * each problem names the field to point at by its path under the stage's `with`.
   */
  check?: (config: Record<string, unknown>) => { message: string; path: string[] }[];
  examples: { title: string; yaml: string }[];
  /** Extra Deno permissions the stage needs; validation tells the user which flag to add. */
  permissions?: { net?: boolean; run?: boolean };
  /**
   * True when the stage's output depends only on its config, the pipeline seed and its input,
   * and it writes nothing a run keeps: a run may then emit recorded output instead of running it
   * (`compare` computes such data stages once per seed and replays them to every method).
   */
  pure?: boolean;
}

/** Progress of one unit of long work: a bar on a terminal, periodic plain lines otherwise. */
export interface Progress {
  /** Advances by `n` (default 1). */
  tick(n?: number): void;
  /** Sets the absolute position (and optionally a new total). */
  update(done: number, total?: number): void;
  /** Replaces the short status text shown beside the bar. */
  status(text: string): void;
  done(): void;
}

/** Structured logging; `fields` become key=value (text) or JSON properties. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What every stage gets besides its config. */
export interface StageContext {
  /** The stage's id in the pipeline. */
  stageId: string;
  /** A unique id of this run (stable across `--resume` of the same run directory). */
  runId: string;
  /**
   * The pipeline's name and seed; `dir` is the folder of the pipeline file (paths resolve against
   * it); `config` is the resolved pipeline (after `--set` and defaults) as plain JSON.
   */
  pipeline: { name: string; seed: number; dir: string; file?: string; config: unknown };
  /** The run directory (`runs/<name>` by default); stages write only below it. */
  runDir: string;
  /**
   * Where stages keep what is worth computing once (featurized token ids, by content hash):
   * `<runDir>/cache` unless the caller shares one folder between runs (`compare` does). Absent
   * in hand-made contexts: then nothing is cached.
   */
  cacheDir?: string;
  /** A generator seeded from the pipeline seed and this stage's id. */
  rng: Rng;
  /** The requested backend; `device()` resolves `auto`. */
  backend: "webgpu" | "cpu" | "auto";
  /** True when the run was started with `--resume`. */
  resume: boolean;
  /** Cancelled on SIGINT or when another stage fails: stop at the next unit of work. */
  signal: AbortSignal;
  log: Logger;
  progress(label: string, total?: number): Progress;
  /**
   * The run's shared resources, opened lazily on first use and closed by the runtime at the end:
   * `pool` is the labelled pool (`runPool`, `src/pool/run_pool.ts`) and `compute` the device the
   * reward model runs on, with the models loaded there (`runCompute`, `src/compute/run_compute.ts`).
   */
  resources: RunResources;
  /** Each input stream separately (for stages that join inputs); the operator's source is all of them concatenated. */
  inputs: Observable<Batch>[];
  /**
   * Turns an (async) iterable into a source observable that waits for room downstream before each
   * batch: the way a source stage gets backpressure.
   */
  source(items: AsyncIterable<Batch> | Iterable<Batch>): Observable<Batch>;
  /**
   * Like `concatMap(fn)`, one batch at a time, but the runtime delivers the next input batch only
   * when `fn` has settled and downstream has room: the way an async stage keeps memory bounded.
   * `fn` may return a batch, several, or nothing (null) to drop it.
   */
  mapAsync(
    fn: (batch: Batch, index: number) => Promise<Batch | Batch[] | null> | Batch | Batch[] | null,
  ): OperatorFunction<Batch, Batch>;
}

/** Shared, lazily opened resources of one run. Implementations register here by name. */
export interface RunResources {
  /** Returns the resource, opening it on first use with `open`, and closing it with `close` at the end of the run. */
  get<T>(
    key: string,
    open: () => Promise<T>,
    close?: (value: T) => Promise<void> | void,
  ): Promise<T>;
}

/** Builds a stage's operator from its validated config (defaults filled in). */
// deno-lint-ignore no-explicit-any
export type StageOperator<C = any> = (
  config: C,
  ctx: StageContext,
) => OperatorFunction<Batch, Batch>;

/** A stage module: what a built-in stage file and a user's stage file both export. */
// deno-lint-ignore no-explicit-any
export interface StageModule<C = any> {
  spec: StageSpec;
  operator: StageOperator<C>;
}

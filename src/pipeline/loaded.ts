/**
 * What loading a pipeline gives: the validated pipeline and its stages, and what a pipeline
 * defined in code looks like.
 *
 * @module
 */
import type { StageModule } from "../contracts/types.ts";

/** One stage of a loaded pipeline: its module, validated config and inputs. */
export interface StageNode {
  id: string;
  /** The `use:` value as written (a built-in name or a module path). */
  use: string;
  module: StageModule;
  /** The validated config with defaults filled in. */
  config: Record<string, unknown>;
  /** The ids of the stages it reads from. */
  inputs: string[];
}

/** A validated pipeline, ready to run. */
export interface LoadedPipeline {
  name: string;
  description?: string;
  seed: number;
  backend: "auto" | "webgpu" | "cpu";
  runDir?: string;
  /** The pipeline file, if it came from one. */
  file?: string;
  /** Where relative paths resolve (the pipeline file's folder). */
  dir: string;
  stages: StageNode[];
  /** The resolved pipeline as plain JSON (for the pool's `runs` table and reports). */
  resolved: Record<string, unknown>;
}

/** A pipeline defined in code: like the file format, but `use` may also be a stage module. */
export interface PipelineDefinition {
  name: string;
  description?: string;
  seed?: number;
  backend?: "auto" | "webgpu" | "cpu";
  run_dir?: string;
  stages: {
    id: string;
    use: string | StageModule;
    with?: Record<string, unknown>;
    inputs?: string[];
  }[];
}

/** Options for loading. */
export interface LoadOptions {
  /** `path=value` overrides (`--set`). */
  sets?: readonly string[];
}

/** The stages a pipeline may name in `use:`, by name. */
export type StageTable = Readonly<Record<string, StageModule>>;

/**
 * serflow: self-evolving reward models (SER, arXiv 2411.00418) as a reactive dataflow.
 *
 * Pipelines wire RxJS stages over Apache Arrow record batches; the reward model trains and
 * scores in WGSL compute shaders on WebGPU (with a TypeScript reference as oracle and fallback);
 * DuckDB keeps the evolving labelled pool with full provenance.
 *
 * Define and run a pipeline from TypeScript, with a stage of your own between built-in ones:
 *
 * ```ts
 * import { definePipeline, defineStage, filterRows, runPipeline } from "./mod.ts";
 *
 * // A user stage: keep pairs whose responses both have at least `min_words` words.
 * const words = (s: string) => s.split(" ").length;
 * const dropShort = defineStage({
 *   spec: {
 *     name: "drop_short",
 *     summary: "Drops short answers.",
 *     fields: { min_words: { type: "integer", default: 4, description: "Fewest words." } },
 *     examples: [],
 *   },
 *   operator: (cfg) =>
 *     filterRows((r) => words(r.response_a) >= cfg.min_words && words(r.response_b) >= cfg.min_words),
 * });
 *
 * const pipeline = await definePipeline({
 *   name: "quick",
 *   seed: 3,
 *   backend: "cpu",
 *   stages: [
 *     { id: "data", use: "synthetic", with: { pairs: 1500 } },
 *     { id: "clean", use: dropShort },
 *     { id: "split", use: "split", with: { seed_fraction: 0.1, validation_fraction: 0.1, test_fraction: 0.2 } },
 *     { id: "evolve", use: "ser", with: { model: { buckets: 4096, dim: 8, hidden: 16 }, stop: { max_iterations: 2 } } },
 *     { id: "report", use: "report" },
 *   ],
 * });
 * const runDir = await Deno.makeTempDir();
 * const result = await runPipeline(pipeline, { runDir, quiet: true });
 * const metrics = JSON.parse(await Deno.readTextFile(`${runDir}/metrics.json`));
 * if (result.status !== "completed" || !(metrics.final.testAccuracy > 0.4)) throw new Error("unexpected");
 * ```
 *
 * @module
 */

// Pipelines: define, load, validate, run.
export { definePipeline, loadPipeline } from "./src/stages/pipelines.ts";
export type {
  LoadedPipeline,
  LoadOptions,
  PipelineDefinition,
  StageNode,
  StageTable,
} from "./src/pipeline/loaded.ts";
export { runPipeline } from "./src/pipeline/run.ts";
export type { RunOptions, RunResult } from "./src/pipeline/run.ts";
export { InterruptedError, PipelineConfigError, StageError } from "./src/pipeline/errors.ts";
export type { Problem, SourcePosition } from "./src/pipeline/errors.ts";
export { renderDot, renderTree } from "./src/pipeline/graph.ts";
export { stageDoc } from "./src/pipeline/docs.ts";
export type {
  Batch,
  FieldSpec,
  FieldType,
  Logger,
  Progress,
  RunResources,
  StageContext,
  StageModule,
  StageOperator,
  StageSpec,
} from "./src/contracts/types.ts";
export { BUILTIN_STAGES } from "./src/stages/registry.ts";
export type { StageRef } from "./src/contracts/types.ts";

// The stage kit: typed configs from field specs, row helpers, and running a stage on rows.
export { defineStage } from "./src/kit/define_stage.ts";
export type { StageDefinition } from "./src/kit/define_stage.ts";
export type { ConfigOf, FieldValue } from "./src/contracts/config_of.ts";
export { filterRows, mapRows, withColumn } from "./src/kit/row_ops.ts";
export type { BatchRow } from "./src/kit/row_ops.ts";
export { testStage } from "./src/kit/test_stage.ts";
export type { TestStageOptions } from "./src/kit/test_stage.ts";
export { batchOf, rowsOf } from "./src/data/rows.ts";
export type { Row } from "./src/data/rows.ts";

// Pair batches (Arrow) and datasets.
export {
  batchFromVectors,
  PAIR_SCHEMA,
  pairBatch,
  pairRows,
  takeRows,
  withColumns,
} from "./src/data/schema.ts";
export type { PairRow, Split } from "./src/data/schema.ts";
export { newReadStats, readPairs } from "./src/data/read_pairs.ts";
export type { ReadOptions, ReadStats } from "./src/data/read_pairs.ts";
export { PRESETS, resolveFields } from "./src/data/presets.ts";
export { assignSplits } from "./src/data/split_assign.ts";
export { buildWorld, DEFAULT_SYNTHETIC } from "./src/data/synthetic/world.ts";
export type { SyntheticConfig, World } from "./src/data/synthetic/world.ts";
export { samplePairs } from "./src/data/synthetic/sample.ts";

// The reward model: featurizer, backends, training, checkpoints, metrics.
export { DEFAULT_MODEL, DEFAULT_TRAIN, featureWidth } from "./src/model/types.ts";
export type {
  EpochResult,
  EpochStats,
  ModelConfig,
  ModelParams,
  OptimizerState,
  PairFeatures,
  RewardBackend,
  Scores,
  TrainOptions,
  TrainSet,
} from "./src/model/types.ts";
export { DEFAULT_FEATURIZER, Featurizer } from "./src/model/featurizer.ts";
export type { FeaturizerConfig } from "./src/model/featurizer.ts";
export { featuresFromBatches } from "./src/model/pair_features.ts";
export { CpuBackend } from "./src/model/cpu_backend.ts";
export { GpuBackend } from "./src/gpu/gpu_backend.ts";
export type { GpuBackendOptions } from "./src/gpu/gpu_backend.ts";
export type { CallCost } from "./src/gpu/cost.ts";
export { criticalMsPerStep, renderTimeline } from "./src/gpu/timeline.ts";
export type { HostTimes, SegmentTiming } from "./src/gpu/timeline.ts";
export { defaultPlanWorkers } from "./src/gpu/plan_ahead.ts";
export { hasWebGpu, openBackend } from "./src/compute/open_backend.ts";
export { RunCompute, runCompute } from "./src/compute/run_compute.ts";

// Pretrained text encoders (the `embed` stage).
export { loadEncoder } from "./src/encoder/load.ts";
export type { Encoder } from "./src/encoder/load.ts";
export { parseEncoderConfig } from "./src/encoder/config.ts";
export type { EncoderConfig } from "./src/encoder/config.ts";
export { WordPieceTokenizer } from "./src/encoder/tokenizer.ts";
export { parseSafetensors, Tensor } from "./src/encoder/safetensors.ts";
export { referenceEmbed, referenceHidden } from "./src/encoder/reference.ts";
export type { EncoderModel, Pooling, PoolOptions } from "./src/encoder/reference.ts";
export { GpuEncoder } from "./src/gpu/encoder_model.ts";
export type { EmbedResult, GpuEncoderOptions } from "./src/gpu/encoder_model.ts";
export { TextEmbedder } from "./src/gpu/text_embedder.ts";
export type { TextEmbedderOptions, TextVectors } from "./src/gpu/text_embedder.ts";
export { initParams, zeroOptimizer, zeroParams } from "./src/model/params.ts";
export { fitModel } from "./src/model/fit.ts";
export { loadCheckpoint, readCheckpointHeader, saveCheckpoint } from "./src/model/checkpoint.ts";
export type { Checkpoint } from "./src/model/checkpoint.ts";
export { evaluatePairs } from "./src/model/metrics.ts";
export type { PairMetrics } from "./src/model/metrics.ts";
export { normalizeRewards, rewardStats } from "./src/model/reward_stats.ts";
export type { RewardStats } from "./src/model/reward_stats.ts";

// Serving the reward model over HTTP (`deno task serve`).
export { SERVE_DEFAULTS, startServer } from "./src/serve/server.ts";
export type { RunningServer, ServeOptions } from "./src/serve/server.ts";
export type { ModelInfo } from "./src/serve/served_model.ts";
export type { RequestLimits } from "./src/serve/http_body.ts";
export { splitRule, splitTranscript, stripPrompt } from "./src/serve/split.ts";
export type { SplitRule } from "./src/serve/split.ts";

// Self-evolving selection and the loop's reports.
export { selectPairs, sigmoid } from "./src/ser/select.ts";
export type { RuleOptions, Selection } from "./src/ser/select.ts";
export { applyPolicy, SELECT_POLICIES } from "./src/ser/policy.ts";
export type { SelectPolicy } from "./src/ser/policy.ts";
export { fitTemperature } from "./src/ser/calibrate.ts";
export { writeReports } from "./src/report/write.ts";

// The labelled pool (DuckDB).
export { Pool } from "./src/pool/pool.ts";
export { withPool } from "./src/pool/with_pool.ts";
export { runPool } from "./src/pool/run_pool.ts";
export { EXPORT_FORMATS, exportPool, MARGIN_SOURCES } from "./src/pool/export.ts";
export type { ExportFormat, ExportOptions, ExportSummary } from "./src/pool/export.ts";
export { PoolLockedError } from "./src/pool/locked_error.ts";
export { ReadOnlyPoolError } from "./src/pool/query.ts";
export type { LabelColumns, LabelRows, RunStatus } from "./src/pool/types.ts";

export { Rng } from "./src/contracts/rng.ts";

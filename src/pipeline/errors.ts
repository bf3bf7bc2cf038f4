/**
 * Errors a user can act on: where (file:line:column, stage id) and what to do.
 *
 * @module
 */

/** A position in a pipeline file (1-based line and column), or a command-line `--set` argument. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found while loading or validating a pipeline. */
export interface Problem {
  message: string;
  position?: SourcePosition;
  /** Where the problem comes from when it is not in the file (e.g. a `--set` argument). */
  origin?: string;
  stageId?: string;
}

/** Formats a problem as `file:line:column: stage 'id': message`. */
export function formatProblem(p: Problem): string {
  const where = p.origin
    ? `${p.origin}: `
    : p.position
    ? `${p.position.file}:${p.position.line}:${p.position.column}: `
    : "";
  const stage = p.stageId ? `stage '${p.stageId}': ` : "";
  return `${where}${stage}${p.message}`;
}

/**
 * A pipeline file that cannot run: every problem found, each with its position.
 * Thrown before any stage runs.
 */
export class PipelineConfigError extends Error {
  /** Every problem found (at least one). */
  readonly problems: Problem[];
  /** The position of the first problem. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  /** @param problems The problems, in file order. */
  constructor(problems: Problem[]) {
    const n = problems.length;
    super(
      `${n} problem${n === 1 ? "" : "s"} in pipeline:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
    );
    this.name = "PipelineConfigError";
    this.problems = problems;
    this.file = problems[0]?.position?.file;
    this.line = problems[0]?.position?.line;
    this.column = problems[0]?.position?.column;
  }
}

/** A stage failed while running: carries the stage id and the cause. */
export class StageError extends Error {
  readonly stageId: string;

  /** @param stageId The failing stage. @param cause The original error. */
  constructor(stageId: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`stage '${stageId}' failed: ${msg}`, { cause });
    this.name = "StageError";
    this.stageId = stageId;
  }
}

/** The run was interrupted (SIGINT or an abort signal). */
export class InterruptedError extends Error {
  constructor(message = "run interrupted") {
    super(message);
    this.name = "InterruptedError";
  }
}

/**
 * How the command line shows errors: a user error is one clear message; an internal error also
 * shows its stack with `--verbose` or `SERFLOW_DEBUG=1`.
 *
 * @module
 */
import { PipelineConfigError, StageError } from "../pipeline/errors.ts";

/**
 * @param e The error.
 * @param verbose Show the stack trace.
 * @returns The text to print.
 */
export function formatError(e: unknown, verbose = false): string {
  const debug = verbose || Deno.env.get("SERFLOW_DEBUG") === "1";
  if (e instanceof PipelineConfigError) return `error: ${e.message}`;
  const err = e instanceof Error ? e : new Error(String(e));
  const root = err instanceof StageError && err.cause instanceof Error ? err.cause : err;
  const text = `error: ${err.message}`;
  if (!debug) {
    const internal = root instanceof TypeError || root instanceof ReferenceError;
    return internal
      ? `${text}\n(an internal error: rerun with --verbose for the stack trace and report it)`
      : text;
  }
  return `${text}\n${root.stack ?? ""}`;
}

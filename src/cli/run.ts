/**
 * `deno task run PIPELINE [--set path=value ...] [--run-dir DIR] [--resume] [--quiet]
 * [--log-format text|json]`: validates, then runs the pipeline. Ctrl-C stops cleanly (exit 130);
 * a second Ctrl-C stops at once.
 *
 * @module
 */
import { loadPipeline } from "../stages/pipelines.ts";
import { runPipeline } from "../pipeline/run.ts";
import { parse, UsageError } from "./args.ts";
import { InterruptedError } from "../pipeline/errors.ts";

const HELP = `usage: deno task run PIPELINE [options]

  --set path=value   override a value (repeatable), e.g. --set stages.evolve.with.train.lr=0.02, --set backend=cpu
  --run-dir DIR      where the run's files go (default runs/<name>)
  --resume           continue the interrupted run in the run directory
  --quiet            warnings and errors only, no progress
  --verbose          debug lines, stack traces
  --log-format F     text (default) or json
  --progress MODE    bar, lines or none (default: bar on a terminal)`;

/**
 * @param args Command-line arguments after `run`.
 * @returns The exit code: 0 done, 1 failed, 2 usage, 130 interrupted.
 */
export async function main(args: string[]): Promise<number> {
  let v, positionals;
  try {
    ({ values: v, positionals } = parse(args, {
      set: { type: "string", multiple: true },
      "run-dir": { type: "string" },
      resume: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      verbose: { type: "boolean" },
      "log-format": { type: "string" },
      progress: { type: "string" },
      help: { type: "boolean", short: "h" },
    }));
    if (v.help) return console.log(HELP), 0;
    if (positionals.length !== 1) throw new UsageError("expected one pipeline file");
    if (v["log-format"] && !["text", "json"].includes(v["log-format"])) {
      throw new UsageError(
        `--log-format must be text or json: current value is ${v["log-format"]}`,
      );
    }
    if (v.progress && !["bar", "lines", "none"].includes(v.progress)) {
      throw new UsageError(`--progress must be bar, lines or none: current value is ${v.progress}`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const pipeline = await loadPipeline(positionals[0], { sets: v.set ?? [] });
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      console.error("\nstopped at once (second Ctrl-C); resume with --resume");
      Deno.exit(130);
    }
    console.error(
      "\ninterrupting: finishing the current unit of work (Ctrl-C again to stop at once)",
    );
    abort.abort(new InterruptedError("interrupted (SIGINT)"));
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const result = await runPipeline(pipeline, {
      runDir: v["run-dir"],
      resume: v.resume,
      quiet: v.quiet,
      verbose: v.verbose,
      logFormat: v["log-format"] as "text" | "json" | undefined,
      progress: v.progress as "bar" | "lines" | "none" | undefined,
      signal: abort.signal,
    });
    return result.status === "interrupted" ? 130 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

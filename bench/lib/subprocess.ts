/**
 * Runs a benchmark child process with a time limit and collects its output.
 *
 * @module
 */

/** What a finished child left behind. */
export interface ChildOutput {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

/**
 * Runs `cmd args`, killing it after `timeoutS` seconds.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param opts Time limit (seconds), working directory and extra environment.
 * @returns Exit code, output and wall time.
 * @example
 * ```ts ignore
 * const out = await runChild("python3", ["-c", "print(1)"], { timeoutS: 10 });
 * ```
 */
export async function runChild(
  cmd: string,
  args: string[],
  opts: { timeoutS: number; cwd?: string; env?: Record<string, string> },
): Promise<ChildOutput> {
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: { NO_COLOR: "1", ...opts.env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      code: 127,
      stdout: "",
      stderr: `Cannot start '${cmd}': ${why}`,
      seconds: 0,
      timedOut: false,
    };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, opts.timeoutS * 1e3);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    seconds: (performance.now() - t0) / 1e3,
    timedOut,
  };
}

/**
 * The last lines of a text (for error messages).
 *
 * @param text The text.
 * @param n How many lines.
 * @returns Them, joined.
 * @example
 * ```ts
 * import { tail } from "./subprocess.ts";
 * if (tail("a\nb\nc\n", 2) !== "b\nc") throw new Error();
 * ```
 */
export function tail(text: string, n = 8): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * The command line that runs a Deno script in a child process with all permissions, passing on
 * the flags in `SERFLOW_BENCH_DENO_FLAGS` (e.g. `--node-modules-dir=manual`, which `bench/gpu.sh`
 * sets so that children use the vendored node_modules as they are and never try to install).
 *
 * @param script The script path.
 * @param args Its arguments.
 * @returns The program and its arguments.
 * @example
 * ```ts
 * import { denoRun } from "./subprocess.ts";
 * const [cmd, args] = denoRun("x.ts", ["--n", "1"]);
 * if (cmd !== Deno.execPath() || args.at(-1) !== "1") throw new Error();
 * ```
 */
export function denoRun(script: string, args: string[]): [string, string[]] {
  const extra = (Deno.env.get("SERFLOW_BENCH_DENO_FLAGS") ?? "").split(/\s+/).filter((x) => x);
  return [Deno.execPath(), ["run", "-A", ...extra, script, ...args]];
}

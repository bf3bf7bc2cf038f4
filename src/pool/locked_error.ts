/**
 * The error a pool's opener sees when another process holds the DuckDB file lock (DuckDB allows
 * one writing process, and no other process beside it).
 *
 * @module
 */

/** Another process holds the pool's file lock; `pid` and `program` name it when DuckDB says. */
export class PoolLockedError extends Error {
  /** The pool file. */
  readonly path: string;
  /** The process holding the lock (null when DuckDB did not say). */
  readonly pid: number | null;
  /** Its executable, as DuckDB reports it. */
  readonly program: string | null;
  /** Its command line, when the system shows it (Linux `/proc`). */
  readonly commandLine: string | null;

  /**
   * @param path The pool file.
   * @param pid The lock holder's process id.
   * @param program Its executable.
   * @param commandLine Its command line.
   * @param cause DuckDB's error.
   */
  constructor(
    path: string,
    pid: number | null,
    program: string | null,
    commandLine: string | null,
    cause?: unknown,
  ) {
    const who = pid === null
      ? "another process"
      : `process ${pid}${program ? ` (${program})` : ""}${commandLine ? `: ${commandLine}` : ""}`;
    super(
      `Cannot open pool '${path}' as it is locked by ${who}. DuckDB lets one process write a ` +
        `pool and no other process open it meanwhile: wait for that run to finish (or stop it), ` +
        `then retry`,
      { cause },
    );
    this.name = "PoolLockedError";
    this.path = path;
    this.pid = pid;
    this.program = program;
    this.commandLine = commandLine;
  }
}

/**
 * Recognizes DuckDB's lock conflict ("Conflicting lock is held in <program> (PID <n>)").
 *
 * @param path The pool file.
 * @param e The error DuckDB raised while opening it.
 * @returns A `PoolLockedError`, or null when `e` is another error.
 * @example
 * ```ts
 * import { lockedError } from "./locked_error.ts";
 * const e = lockedError("p.duckdb", new Error(
 *   'IO Error: Could not set lock on file "p.duckdb": Conflicting lock is held in /bin/deno (PID 42).',
 * ));
 * if (e?.pid !== 42 || e.program !== "/bin/deno") throw new Error();
 * ```
 */
export function lockedError(path: string, e: unknown): PoolLockedError | null {
  const msg = e instanceof Error ? e.message : String(e);
  if (!/Could not set lock on file/i.test(msg)) return null;
  const m = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(msg);
  const pid = m ? Number(m[2]) : null;
  return new PoolLockedError(path, pid, m ? m[1] : null, pid ? _commandLine(pid) : null, e);
}

function _commandLine(pid: number): string | null {
  try {
    const raw = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    const line = raw.split("\0").filter((s) => s).join(" ");
    return line || null;
  } catch {
    return null;
  }
}

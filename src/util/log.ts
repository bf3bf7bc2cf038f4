/**
 * Logging to stderr: aligned text (default) or one JSON object per line (`--log-format json`).
 *
 * @module
 */
import type { Logger } from "../contracts/types.ts";

/** How logs are written. */
export interface LogOptions {
  format?: "text" | "json";
  /** Suppress debug and info (warnings and errors still show). */
  quiet?: boolean;
  /** Show debug lines. */
  verbose?: boolean;
  /** Where lines go (default: stderr). Used by tests. */
  write?: (line: string) => void;
  /** Called before a line is written (the progress display clears its bar). */
  beforeWrite?: () => void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

function fmtValue(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

const encoder = new TextEncoder();

/**
 * Creates a logger.
 *
 * @param opts Format and verbosity.
 * @param scope Fields added to every line (e.g. `{ stage: "evolve" }`).
 * @returns A logger.
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const lines: string[] = [];
 * createLogger({ format: "json", write: (l) => lines.push(l) }, { stage: "x" }).info("hi", { n: 1 });
 * if (JSON.parse(lines[0]).stage !== "x") throw new Error();
 * ```
 */
export function createLogger(opts: LogOptions = {}, scope: Record<string, unknown> = {}): Logger {
  const min = opts.verbose ? 10 : opts.quiet ? 30 : 20;
  const write = opts.write ?? ((l: string) => Deno.stderr.writeSync(encoder.encode(l + "\n")));
  const emit = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < min) return;
    opts.beforeWrite?.();
    const all = { ...scope, ...fields };
    if (opts.format === "json") {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all }));
      return;
    }
    const time = new Date().toISOString().slice(11, 19);
    const stage = all.stage ? `[${all.stage}] ` : "";
    delete all.stage;
    const kv = Object.entries(all).map(([k, v]) => `${k}=${fmtValue(v)}`).join(" ");
    write(`${time} ${level.toUpperCase().padEnd(5)} ${stage}${msg}${kv ? "  " + kv : ""}`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

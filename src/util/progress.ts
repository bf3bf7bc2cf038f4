/**
 * Progress for long work: a redrawn bar on a terminal, plain periodic lines otherwise (CI logs).
 *
 * @module
 */
import type { Progress } from "../contracts/types.ts";

/** Where and how progress is shown. */
export interface ProgressOptions {
  /** `bar` on a terminal, `lines` for logs, `none` when quiet. Default: by `Deno.stderr.isTerminal()`. */
  mode?: "bar" | "lines" | "none";
  /** Seconds between plain lines (default 10). */
  interval?: number;
  write?: (text: string) => void;
  /** Width of the terminal (default from `Deno.consoleSize()`). */
  columns?: number;
}

const encoder = new TextEncoder();

/** Shows the progress of one or more units of work; only the most recent bar is redrawn. */
export class ProgressDisplay {
  readonly mode: "bar" | "lines" | "none";
  #interval: number;
  #write: (text: string) => void;
  #columns: number;
  #active: string | null = null;

  /** @param opts Display options. */
  constructor(opts: ProgressOptions = {}) {
    const tty = (() => {
      try {
        return Deno.stderr.isTerminal();
      } catch {
        return false;
      }
    })();
    this.mode = opts.mode ?? (tty && !Deno.env.get("CI") ? "bar" : "lines");
    this.#interval = (opts.interval ?? 10) * 1000;
    this.#write = opts.write ?? ((t) => Deno.stderr.writeSync(encoder.encode(t)));
    this.#columns = opts.columns ?? (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 100;
      }
    })();
  }

  /** Clears the bar line so a log line can be written. */
  clear(): void {
    if (this.mode === "bar" && this.#active) {
      this.#write("\r\x1b[2K");
      this.#active = null;
    }
  }

  /**
   * Starts a unit of work.
   *
   * @param label What is being done (e.g. "evolve: scoring").
   * @param total Number of steps, when known.
   * @returns The handle to advance it.
   */
  start(label: string, total?: number): Progress {
    let done = 0;
    let status = "";
    let lastDraw = 0;
    let finished = false;
    const t0 = performance.now();
    const draw = (force = false) => {
      if (this.mode === "none" || finished) return;
      const now = performance.now();
      const wait = this.mode === "bar" ? 100 : this.#interval;
      if (!force && now - lastDraw < wait) return;
      lastDraw = now;
      const pct = total ? Math.min(100, (100 * done) / total) : undefined;
      const count = total ? `${done}/${total}` : `${done}`;
      const secs = ((now - t0) / 1000).toFixed(1);
      if (this.mode === "lines") {
        this.#write(
          `${label}: ${count}${pct !== undefined ? ` (${pct.toFixed(0)}%)` : ""} ${secs}s ${status}`
            .trimEnd() + "\n",
        );
        return;
      }
      const width = 24;
      const fill = pct !== undefined
        ? Math.round((pct / 100) * width)
        : (Math.floor(now / 120) % width);
      const bar = pct !== undefined
        ? "█".repeat(fill) + "░".repeat(width - fill)
        : "░".repeat(fill) + "█" + "░".repeat(width - fill - 1);
      const line = `${label} ${bar} ${
        pct !== undefined ? pct.toFixed(0).padStart(3) + "% " : ""
      }${count} ${secs}s ${status}`;
      this.#write("\r\x1b[2K" + line.slice(0, this.#columns - 1));
      this.#active = label;
    };
    return {
      tick: (n = 1) => {
        done += n;
        draw();
      },
      update: (d, t) => {
        done = d;
        if (t !== undefined) total = t;
        draw();
      },
      status: (text) => {
        status = text;
        draw();
      },
      done: () => {
        if (finished) return;
        draw(true);
        finished = true;
        if (this.mode === "bar") {
          this.#write("\n");
          this.#active = null;
        }
      },
    };
  }
}

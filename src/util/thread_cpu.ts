/**
 * CPU time of the calling thread, to tell a thread's own work from the time it spends blocked
 * (waiting for a worker, in a driver call that waits for another thread) or descheduled by other
 * processes. Linux only: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through FFI (about 2 us of CPU
 * per read, precise to the nanosecond).
 *
 * @module
 */

/** `CLOCK_THREAD_CPUTIME_ID` on Linux. */
const THREAD_CPUTIME = 3;

const SYMBOLS = {
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
} as const;

/** The CPU clock of the calling thread. */
export class ThreadCpuClock {
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #ts = new BigInt64Array(2);

  private constructor(lib: Deno.DynamicLibrary<typeof SYMBOLS>) {
    this.#lib = lib;
  }

  /**
   * Opens the clock (read it only from the thread that uses it: it reads the caller's time).
   *
   * @returns The clock, or null where a thread's CPU time cannot be read (not Linux, no FFI
   *   permission, or no glibc).
   * @example
   * ```ts
   * import { ThreadCpuClock } from "./thread_cpu.ts";
   * const clock = ThreadCpuClock.open();
   * if (clock) {
   *   const t0 = clock.ms();
   *   let x = 0;
   *   for (let i = 0; i < 1e6; i++) x += i;
   *   if (!(clock.ms() > t0) || x < 0) throw new Error();
   *   clock.close();
   * }
   * ```
   */
  static open(): ThreadCpuClock | null {
    if (Deno.build.os !== "linux") return null;
    try {
      if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
      const clock = new ThreadCpuClock(Deno.dlopen("libc.so.6", SYMBOLS));
      clock.ms();
      return clock;
    } catch {
      return null;
    }
  }

  /** CPU time of the calling thread so far, in ms. */
  ms(): number {
    if (this.#lib.symbols.clock_gettime(THREAD_CPUTIME, this.#ts) !== 0) {
      throw new Error("Cannot read the thread's CPU time: clock_gettime failed");
    }
    return Number(this.#ts[0]) * 1e3 + Number(this.#ts[1]) / 1e6;
  }

  /** Closes the clock. */
  close(): void {
    this.#lib.close();
  }
}

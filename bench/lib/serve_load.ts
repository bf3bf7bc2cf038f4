/**
 * A bounded HTTP load test: a fixed number of requests sent by `concurrency` clients in closed
 * loops (each sends its next request when the previous answer arrived), with a time limit.
 *
 * @module
 */

/** What one load level measured. */
export interface LoadResult {
  concurrency: number;
  requests: number;
  /** Requests that got no 200 (or failed to connect). */
  failed: number;
  items: number;
  seconds: number;
  itemsPerS: number;
  requestsPerS: number;
  /** Request latency percentiles in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** True when the time limit cut the run short. */
  cutShort: boolean;
}

/**
 * The `q`-quantile of sorted values (nearest rank).
 *
 * @param sorted Ascending values.
 * @param q In [0, 1].
 * @returns The value (NaN for none).
 * @example
 * ```ts
 * import { quantile } from "./serve_load.ts";
 * if (quantile([1, 2, 3, 4], 0.5) !== 2 || quantile([1, 2, 3, 4], 0.99) !== 4) throw new Error();
 * ```
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Sends `requests` POSTs of `bodies` (round robin) to `url`.
 *
 * @param url The endpoint.
 * @param bodies Request bodies (JSON strings).
 * @param itemsPer Items in each body.
 * @param o Concurrency, request count and time limit in seconds.
 * @returns The measurements.
 */
export async function runLoad(
  url: string,
  bodies: readonly string[],
  itemsPer: number,
  o: { concurrency: number; requests: number; timeLimitS: number },
): Promise<LoadResult> {
  const lat: number[] = [];
  let next = 0, failed = 0, cutShort = false;
  const t0 = performance.now(), stopAt = t0 + o.timeLimitS * 1e3;
  const client = async () => {
    while (next < o.requests) {
      if (performance.now() > stopAt) {
        cutShort = true;
        return;
      }
      const k = next++;
      const s = performance.now();
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodies[k % bodies.length],
        });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      } catch {
        failed++;
      }
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, client));
  const seconds = (performance.now() - t0) / 1e3;
  lat.sort((a, b) => a - b);
  const ok = lat.length - failed;
  return {
    concurrency: o.concurrency,
    requests: lat.length,
    failed,
    items: ok * itemsPer,
    seconds,
    itemsPerS: (ok * itemsPer) / seconds,
    requestsPerS: lat.length / seconds,
    p50Ms: quantile(lat, 0.5),
    p99Ms: quantile(lat, 0.99),
    maxMs: lat.at(-1) ?? NaN,
    cutShort,
  };
}

/**
 * Waits until `GET url` answers 200.
 *
 * @param url The health endpoint.
 * @param timeoutS How long to wait.
 * @param alive Returns false once the server process has exited (stop waiting).
 * @throws {Error} When it never does.
 */
export async function waitHealthy(
  url: string,
  timeoutS: number,
  alive: () => boolean,
): Promise<void> {
  const end = performance.now() + timeoutS * 1e3;
  while (performance.now() < end && alive()) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Cannot reach ${url}: the server did not come up within ${timeoutS} s`);
}

/** @returns A free loopback TCP port. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

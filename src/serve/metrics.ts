/**
 * The server's counters and histograms in the Prometheus text exposition format (version
 * 0.0.4): requests by endpoint and status, scored items, request latency, batch sizes, errors by
 * kind, and the served model's id as an info gauge.
 *
 * @module
 */

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

class _Histogram {
  counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
  lines(name: string, labels = ""): string[] {
    const sep = labels ? "," : "";
    return [
      ...this.buckets.map((b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${this.counts[i]}`),
      `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`,
      `${name}_sum${labels ? `{${labels}}` : ""} ${this.sum}`,
      `${name}_count${labels ? `{${labels}}` : ""} ${this.count}`,
    ];
  }
}

function _escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** The server's metrics. */
export class ServeMetrics {
  #requests = new Map<string, number>();
  #errors = new Map<string, number>();
  #items = new Map<string, number>();
  #latency = new Map<string, _Histogram>();
  #batchItems = new _Histogram(BATCH_BUCKETS);
  #batchRequests = new _Histogram(BATCH_BUCKETS);
  #reloads = 0;
  #inFlight = 0;

  /**
   * Counts a finished request.
   *
   * @param endpoint The path (unknown paths count as `other`).
   * @param status The HTTP status.
   * @param seconds Its latency.
   */
  request(endpoint: string, status: number, seconds: number): void {
    const key = `endpoint="${_escape(endpoint)}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#latency.get(endpoint);
    if (!h) this.#latency.set(endpoint, h = new _Histogram(LATENCY_BUCKETS));
    h.observe(seconds);
  }

  /** Counts an error response by kind (e.g. `invalid_json`, `too_many_items`). */
  error(kind: string): void {
    this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + 1);
  }

  /** Counts items scored for an endpoint. */
  items(endpoint: string, n: number): void {
    this.#items.set(endpoint, (this.#items.get(endpoint) ?? 0) + n);
  }

  /** Records one scoring batch: its rows and the requests it served. */
  batch(rows: number, requests: number): void {
    this.#batchItems.observe(rows);
    this.#batchRequests.observe(requests);
  }

  /** Counts a model switch. */
  reload(): void {
    this.#reloads++;
  }

  /** Tracks requests being served. */
  enter(): void {
    this.#inFlight++;
  }

  /** Tracks requests being served. */
  leave(): void {
    this.#inFlight--;
  }

  /**
   * @param modelId The served model's id.
   * @returns The exposition text.
   * @example
   * ```ts
   * import { ServeMetrics } from "./metrics.ts";
   * const m = new ServeMetrics();
   * m.request("/v1/rewards", 200, 0.003);
   * if (!m.render("x").includes('serflow_serve_requests_total{endpoint="/v1/rewards",status="200"} 1')) {
   *   throw new Error();
   * }
   * ```
   */
  render(modelId: string): string {
    const out: string[] = [];
    const counter = (name: string, help: string, m: Map<string, number>, label?: string) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [k, v] of m) out.push(`${name}{${label ? `${label}="${_escape(k)}"` : k}} ${v}`);
    };
    counter(
      "serflow_serve_requests_total",
      "HTTP requests by endpoint and status.",
      this.#requests,
    );
    counter("serflow_serve_items_total", "Responses scored, by endpoint.", this.#items, "endpoint");
    counter("serflow_serve_errors_total", "Error responses by kind.", this.#errors, "kind");
    out.push(
      "# HELP serflow_serve_request_duration_seconds Request latency, by endpoint.",
      "# TYPE serflow_serve_request_duration_seconds histogram",
    );
    for (const [ep, h] of this.#latency) {
      out.push(...h.lines("serflow_serve_request_duration_seconds", `endpoint="${_escape(ep)}"`));
    }
    out.push(
      "# HELP serflow_serve_batch_items Model pairs per scoring batch.",
      "# TYPE serflow_serve_batch_items histogram",
      ...this.#batchItems.lines("serflow_serve_batch_items"),
      "# HELP serflow_serve_batch_requests Requests served by one scoring batch.",
      "# TYPE serflow_serve_batch_requests histogram",
      ...this.#batchRequests.lines("serflow_serve_batch_requests"),
      "# HELP serflow_serve_model_reloads_total Switches to a newer checkpoint.",
      "# TYPE serflow_serve_model_reloads_total counter",
      `serflow_serve_model_reloads_total ${this.#reloads}`,
      "# HELP serflow_serve_in_flight_requests Requests being served.",
      "# TYPE serflow_serve_in_flight_requests gauge",
      `serflow_serve_in_flight_requests ${this.#inFlight}`,
      "# HELP serflow_serve_model_info The served model (value 1).",
      "# TYPE serflow_serve_model_info gauge",
      `serflow_serve_model_info{model="${_escape(modelId)}"} 1`,
    );
    return out.join("\n") + "\n";
  }
}

/**
 * `deno task bench --only serve`: a bounded load test of `deno task serve` on loopback. Each
 * batch setting runs as its own server process; the PyTorch peer (`bench/peers/torch_serve.py`)
 * runs beside them, and every concurrency level is measured on all of them in turn
 * (interleaved), with the same request bodies (OpenRLHF `/get_reward`, prompts included).
 *
 * @module
 */
import {
  requestBodies,
  TEXT_SHAPE,
  type TextShape,
  writeBenchCheckpoint,
} from "./lib/serve_fixture.ts";
import { type LoadResult, runLoad } from "./lib/serve_load.ts";
import { type BenchServer, startSerflow, startTorchPeer } from "./lib/serve_servers.ts";
import { f, k, table } from "./lib/md_table.ts";
import { median } from "./lib/stats.ts";

/** One server the load test runs against. */
export interface ServeSubject {
  id: string;
  /** `serflow` with its batch settings, or the PyTorch peer. */
  kind: "serflow" | "torch";
  backend: string;
  maxBatch?: number;
  maxWaitMs?: number;
}

/** The serving benchmark's results. */
export interface ServeReport {
  shape: TextShape;
  requestsPerLevel: number;
  subjects: ServeSubject[];
  skipped: Record<string, string>;
  rounds: number;
  /** Per subject id and concurrency level, one result per round. */
  runs: Record<string, LoadResult[][]>;
  /** Per subject id, one summary per concurrency level: medians over the rounds. */
  results: Record<string, LoadSummary[]>;
  loadAverage: { start: number[]; end: number[] };
}

/** Medians over the rounds of one subject at one concurrency level. */
export interface LoadSummary {
  concurrency: number;
  itemsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests over all rounds, and how many failed. */
  requests: number;
  failed: number;
  cutShort: boolean;
}

/**
 * @param runs One level's results, one per round.
 * @returns Their medians.
 * @example
 * ```ts
 * import { summarizeLevel } from "./serve.ts";
 * const r = (x: number) => ({ concurrency: 4, requests: 10, failed: 0, items: 1, seconds: 1,
 *   itemsPerS: x, requestsPerS: 1, p50Ms: x, p99Ms: x, maxMs: x, cutShort: false });
 * if (summarizeLevel([r(1), r(9), r(3)]).itemsPerS !== 3) throw new Error();
 * ```
 */
export function summarizeLevel(runs: readonly LoadResult[]): LoadSummary {
  const med = (key: "itemsPerS" | "p50Ms" | "p99Ms") => median(runs.map((r) => r[key]));
  return {
    concurrency: runs[0].concurrency,
    itemsPerS: med("itemsPerS"),
    p50Ms: med("p50Ms"),
    p99Ms: med("p99Ms"),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    failed: runs.reduce((a, r) => a + r.failed, 0),
    cutShort: runs.some((r) => r.cutShort),
  };
}

/** The batch settings compared by default: per request, adaptive, the default, large. */
export const BATCH_SETTINGS: { maxBatch: number; maxWaitMs: number }[] = [
  { maxBatch: 16, maxWaitMs: 0 },
  { maxBatch: 256, maxWaitMs: 0 },
  { maxBatch: 1024, maxWaitMs: 2 },
  { maxBatch: 4096, maxWaitMs: 5 },
];

/**
 * Runs the load test.
 *
 * @param o Concurrency levels, requests per level, rounds (all levels of all servers, again),
 *   backend, peers (`torch-cpu`, `torch-cuda`), batch settings, a per-level time limit and a
 *   progress callback.
 * @returns The report.
 */
export async function runServeBench(o: {
  concurrency: number[];
  requests: number;
  rounds: number;
  backend: "cpu" | "webgpu" | "auto";
  peers: string[];
  settings?: { maxBatch: number; maxWaitMs: number }[];
  timeLimitS?: number;
  log: (msg: string) => void;
}): Promise<ServeReport> {
  const start = Deno.loadavg();
  const dir = await Deno.makeTempDir({ prefix: "serflow-bench-serve-" });
  const servers = new Map<string, BenchServer>();
  const subjects: ServeSubject[] = [], skipped: Record<string, string> = {};
  const runs: Record<string, LoadResult[][]> = {};
  try {
    const ckpt = await writeBenchCheckpoint(dir);
    for (const s of o.settings ?? BATCH_SETTINGS) {
      const id = `serflow-${o.backend} batch ${s.maxBatch} wait ${s.maxWaitMs}`;
      servers.set(id, await startSerflow(ckpt, { backend: o.backend, ...s }));
      subjects.push({ id, kind: "serflow", backend: o.backend, ...s });
    }
    for (const p of o.peers) {
      const device = p === "torch-cuda" ? "cuda" : "cpu";
      try {
        servers.set(p, await startTorchPeer(device));
        subjects.push({ id: p, kind: "torch", backend: device });
      } catch (e) {
        skipped[p] = (e as Error).message.split("\n").slice(-3).join(" ");
        o.log(`serve peer ${p} skipped: ${skipped[p]}`);
      }
    }
    const bodies = requestBodies(256, TEXT_SHAPE);
    for (const s of subjects) {
      runs[s.id] = o.concurrency.map(() => []);
      const url = `${servers.get(s.id)!.url}/get_reward`;
      await runLoad(url, bodies, TEXT_SHAPE.itemsPerRequest, {
        concurrency: 4,
        requests: 64,
        timeLimitS: 60,
      });
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const [level, c] of o.concurrency.entries()) {
        for (const s of subjects) {
          const url = `${servers.get(s.id)!.url}/get_reward`;
          const r = await runLoad(url, bodies, TEXT_SHAPE.itemsPerRequest, {
            concurrency: c,
            requests: o.requests,
            timeLimitS: o.timeLimitS ?? 60,
          });
          runs[s.id][level].push(r);
          o.log(
            `serve round ${round + 1} ${s.id} c=${c}: ${k(r.itemsPerS)} items/s, p50 ${
              f(r.p50Ms, 1)
            } ms, p99 ${f(r.p99Ms, 1)} ms${r.failed ? `, ${r.failed} failed` : ""}`,
          );
        }
      }
    }
  } finally {
    for (const s of servers.values()) await s.stop().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return {
    shape: TEXT_SHAPE,
    requestsPerLevel: o.requests,
    subjects,
    skipped,
    rounds: o.rounds,
    runs,
    results: Object.fromEntries(
      Object.entries(runs).map(([id, levels]) => [id, levels.map(summarizeLevel)]),
    ),
    loadAverage: { start, end: Deno.loadavg() },
  };
}

/**
 * @param r The report.
 * @param meta Machine, date and command lines for the heading.
 * @returns The Markdown of BENCHMARKS.md's serving section (between its markers).
 */
export function serveMarkdown(
  r: ServeReport,
  meta: { date: string; machine: string; command: string },
): string {
  const levels = r.results[r.subjects[0]?.id]?.map((x) => x.concurrency) ?? [];
  const rows = r.subjects.flatMap((s) =>
    r.results[s.id].map((x) => [
      s.id,
      String(x.concurrency),
      k(x.itemsPerS),
      f(x.p50Ms, 1),
      f(x.p99Ms, 1),
      `${x.requests}${x.failed ? ` (${x.failed} failed)` : ""}${x.cutShort ? " (time limit)" : ""}`,
    ])
  );
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
  return [
    `Measured ${meta.date.slice(0, 16).replace("T", " ")} UTC on ${meta.machine} with`,
    `\`${meta.command}\`: ${r.requestsPerLevel} requests per level and round, ${r.rounds} ` +
    `interleaved rounds (medians), concurrency ${levels.join(", ")};`,
    `each request is OpenRLHF's \`/get_reward\` with ${r.shape.itemsPerRequest} items ` +
    `(${r.shape.samplesPerPrompt} responses per prompt, ${r.shape.promptWords}-word prompts, ` +
    `${r.shape.responseWords}-word responses), default model (2^18 buckets, dim 64, hidden 128).`,
    `Load average ${la(r.loadAverage.start)} at the start, ${la(r.loadAverage.end)} at the end ` +
    `(the machine was shared with other engineers' work; figures vary with it). Client and ` +
    `servers share the same cores.`,
    ...(Object.keys(r.skipped).length
      ? ["", ...Object.entries(r.skipped).map(([p, why]) => `- ${p} skipped: ${why}`)]
      : []),
    "",
    table(["server", "concurrency", "items/s", "p50 ms", "p99 ms", "requests (all rounds)"], rows),
    "",
  ].join("\n");
}

const START = "<!-- serve:start -->", END = "<!-- serve:end -->";

/**
 * @param md BENCHMARKS.md.
 * @param body The new serving section body.
 * @returns BENCHMARKS.md with the body between the serving markers (appended when missing).
 * @example
 * ```ts
 * import { replaceServeSection } from "./serve.ts";
 * const once = replaceServeSection("# B\n", "x\n");
 * if (replaceServeSection(once, "y\n") !== once.replace("x", "y")) throw new Error();
 * ```
 */
export function replaceServeSection(md: string, body: string): string {
  const s = md.indexOf(START), e = md.indexOf(END);
  if (s < 0 || e < s) {
    return `${md.trimEnd()}\n\n## Serving (\`deno task serve\`)\n\n${START}\n${body}${END}\n`;
  }
  return `${md.slice(0, s + START.length)}\n${body}${md.slice(e)}`;
}

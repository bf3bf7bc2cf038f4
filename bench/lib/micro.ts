/**
 * The kernel micro-benchmarks: runs the `Deno.bench` files with `deno bench --json` in a child
 * process and keeps, per benchmark, its mean and percentiles in nanoseconds; then the benchmark
 * scripts (pool, reader), keeping their JSON reports.
 *
 * @module
 */
import { runChild, tail } from "./subprocess.ts";

/** The bench files other parts of serflow ship (relative to the repository root). */
export const MICRO_BENCH_FILES = [
  "bench/featurizer_bench.ts",
  "bench/model_cpu_bench.ts",
  "bench/gpu_kernels_bench.ts",
] as const;

/** Benchmark scripts (not `Deno.bench` files): run as `deno run -A FILE --json`, their JSON report kept whole. */
export const SCRIPT_BENCH_FILES = ["bench/pool_bench.ts", "bench/read_bench.ts"] as const;

/** One benchmark's result. */
export interface MicroResult {
  file: string;
  group: string | null;
  name: string;
  /** Iterations measured. */
  n: number;
  avg_ns: number;
  min_ns: number;
  p75_ns: number;
  p99_ns: number;
  /** Set when the benchmark threw. */
  error?: string;
}

/** A whole micro-benchmark run. */
export interface MicroReport {
  files: string[];
  /** Files that were not there (a part not written yet). */
  missing: string[];
  results: MicroResult[];
  /** Set when `deno bench` itself failed. */
  error?: string;
  /** JSON objects a bench file printed besides the report (e.g. kernel byte and flop counts). */
  printed?: Record<string, unknown[]>;
  /** The JSON reports of the benchmark scripts (`SCRIPT_BENCH_FILES`), by file. */
  scripts?: Record<string, unknown>;
}

/**
 * Parses `deno bench --json` output.
 *
 * @param json The JSON text.
 * @param root The repository root URL prefix to strip from file names.
 * @returns One entry per benchmark.
 * @example
 * ```ts
 * import { parseDenoBench } from "./micro.ts";
 * const r = parseDenoBench(JSON.stringify({ benches: [{ origin: "file:///r/bench/x.ts",
 *   group: null, name: "a", results: [{ ok: { n: 3, avg: 10, min: 9, p75: 11, p99: 12 } }] }] }),
 *   "file:///r/");
 * if (r[0].file !== "bench/x.ts" || r[0].avg_ns !== 10) throw new Error();
 * ```
 */
export function parseDenoBench(json: string, root: string): MicroResult[] {
  // deno-lint-ignore no-explicit-any
  const doc = JSON.parse(json) as { benches: any[] };
  return doc.benches.map((b) => {
    const r = b.results?.[0] ?? {};
    const ok = r.ok;
    return {
      file: String(b.origin).replace(root, ""),
      group: b.group ?? null,
      name: b.name,
      n: ok?.n ?? 0,
      avg_ns: ok?.avg ?? NaN,
      min_ns: ok?.min ?? NaN,
      p75_ns: ok?.p75 ?? NaN,
      p99_ns: ok?.p99 ?? NaN,
      ...(ok ? {} : { error: JSON.stringify(r.failed ?? r).slice(0, 400) }),
    };
  });
}

/**
 * The first complete JSON object in a text (a bench file may print before or after the report).
 *
 * @param text The output.
 * @returns The object's text, or null.
 * @example
 * ```ts
 * import { firstJsonObject } from "./micro.ts";
 * if (firstJsonObject('x {"a": "}{", "b": {}} tail {') !== '{"a": "}{", "b": {}}') throw new Error();
 * ```
 */
export function firstJsonObject(text: string): string | null {
  const start = text.indexOf("{");
  if (start < 0) return null;
  let depth = 0, inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

/**
 * Separates the `deno bench --json` report (the object with `benches`) from other JSON objects
 * a bench file printed on lines of their own.
 *
 * @param stdout The output.
 * @returns The report's text (or null) and the other objects.
 * @example
 * ```ts
 * import { splitBenchOutput } from "./micro.ts";
 * const r = splitBenchOutput('{"costs":{"a":1}}\n{\n  "version": 1,\n  "benches": []\n}\n');
 * if (r.printed.length !== 1 || !r.report?.includes("benches")) throw new Error();
 * ```
 */
export function splitBenchOutput(stdout: string): { report: string | null; printed: unknown[] } {
  let report: string | null = null;
  const printed: unknown[] = [];
  for (const m of stdout.matchAll(/^\{/gm)) {
    const text = firstJsonObject(stdout.slice(m.index));
    if (text === null) continue;
    try {
      const v = JSON.parse(text);
      if (report === null && Array.isArray(v?.benches)) report = text;
      else printed.push(v);
    } catch {
      // not JSON (e.g. an inspected object): skip
    }
  }
  return { report, printed };
}

/**
 * Runs the micro-benchmarks that exist.
 *
 * @param root The repository root (a directory path).
 * @param opts Filter (`deno bench --filter`), time limit, extra environment.
 * @returns Their results.
 * @example
 * ```ts ignore
 * const r = await runMicroBenches("/work/main", { timeoutS: 600 });
 * ```
 */
export async function runMicroBenches(
  root: string,
  opts: {
    filter?: string;
    timeoutS: number;
    env?: Record<string, string>;
    files?: readonly string[];
    /** Only list the files that exist. */
    dryRun?: boolean;
  },
): Promise<MicroReport> {
  const files: string[] = [], missing: string[] = [];
  for (const f of opts.files ?? MICRO_BENCH_FILES) {
    try {
      await Deno.stat(`${root}/${f}`);
      files.push(f);
    } catch {
      missing.push(f);
    }
  }
  if (files.length === 0 || opts.dryRun) return { files, missing, results: [] };
  // One process per file: a file that fails to load does not hide the others' results.
  const results: MicroResult[] = [], errors: string[] = [];
  const extras: Record<string, unknown[]> = {};
  for (const file of files) {
    const args = [
      "bench",
      "--json",
      "-A",
      "--no-check",
      ...(opts.filter ? ["--filter", opts.filter] : []),
      file,
    ];
    const out = await runChild(Deno.execPath(), args, {
      timeoutS: opts.timeoutS,
      cwd: root,
      env: opts.env,
    });
    const { report, printed } = splitBenchOutput(out.stdout);
    if (printed.length) extras[file] = printed;
    if (report !== null) {
      const rs = parseDenoBench(report, `file://${root}/`);
      results.push(...rs);
      if (rs.length === 0) errors.push(`${file}: registered no benchmark`);
    } else if (out.stdout.trim()) {
      errors.push(`${file}: no 'deno bench --json' report in its output`);
    }
    if (out.code !== 0 || out.timedOut) {
      errors.push(
        `${file}: ${
          out.timedOut
            ? `timed out after ${opts.timeoutS} s`
            : `exit ${out.code}: ${tail(out.stderr, 6)}`
        }`,
      );
    }
  }
  const scripts = await runScriptBenches(root, opts, errors);
  return {
    files,
    missing,
    results,
    ...(Object.keys(scripts).length ? { scripts } : {}),
    ...(Object.keys(extras).length ? { printed: extras } : {}),
    ...(errors.length ? { error: errors.join("\n") } : {}),
  };
}

async function runScriptBenches(
  root: string,
  opts: { timeoutS: number; env?: Record<string, string>; files?: readonly string[] },
  errors: string[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (opts.files) return out; // an explicit file list names Deno.bench files only
  for (const file of SCRIPT_BENCH_FILES) {
    const args = ["run", "-A", "--no-check", file, "--json"];
    const r = await runChild(Deno.execPath(), args, {
      timeoutS: opts.timeoutS,
      cwd: root,
      env: opts.env,
    });
    const start = r.stdout.indexOf("{");
    try {
      if (r.code !== 0 || r.timedOut || start < 0) throw new Error("no report");
      out[file] = JSON.parse(r.stdout.slice(start));
    } catch {
      errors.push(
        `${file}: ${
          r.timedOut ? `timed out after ${opts.timeoutS} s` : `exit ${r.code}: ${tail(r.stderr, 6)}`
        }`,
      );
    }
  }
  return out;
}

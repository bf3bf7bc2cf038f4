/**
 * `deno task compare PIPELINE [--seeds N] [--methods LIST] [--set path=value ...] [--run-dir DIR]`:
 * runs the pipeline's `ser` stage once per method (default `seed-only`, `ser`, `all-labels`; see
 * `compare_methods.ts`) for N seeds (the pipeline seed, seed + 1, ...; each seed gives its own
 * splits, shared by all methods), prints a table and writes `compare.json` (and `compare.md`).
 * Per seed, pure data stages before `ser` run once and are replayed to the other methods, and a
 * seed-only method with a `ser` twin is that run's iteration 0 (`ser/seed_only.ts`).
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { loadPipeline } from "../stages/pipelines.ts";
import { runPipeline } from "../pipeline/run.ts";
import { type CompareRun, formatCompareTable, summarizeCompare } from "../report/compare.ts";
import type { RunMetrics } from "../report/metrics.ts";
import { writeReports } from "../report/write.ts";
import { parse, UsageError } from "./args.ts";
import { METHOD_PRESETS, type MethodSpec, parseMethods } from "./compare_methods.ts";
import type { Batch } from "../contracts/types.ts";
import type { StageNode } from "../pipeline/loaded.ts";
import type { LoadedPipeline } from "../pipeline/loaded.ts";
import { prepareRunDir, writeRunRecord } from "../pipeline/run_dir.ts";
import type { ReportFormat } from "../report/write.ts";
import type { SerConfig } from "../ser/config.ts";
import { seedOnlyFromSer, seedOnlyIsIterationZero } from "../ser/seed_only.ts";
import { createLogger } from "../util/log.ts";

const HELP = `usage: deno task compare PIPELINE [options]

  --seeds N          how many seeds (default 3): the pipeline's seed, seed + 1, ...
  --first-seed S     start at seed S instead of the pipeline's seed
  --methods LIST     comma-separated methods (default seed-only,ser,all-labels): a mode
                     (seed-only, ser, all-labels), optionally with presets after ':' joined
                     by '+', e.g. ser:committee, ser:soft+precision, all-labels:auto
  --set path=value   override a value (repeatable), e.g. --set backend=cpu
  --run-dir DIR      where the runs and compare.json go (default runs/<name>-compare)
  --verbose          show each run's log

presets:
${Object.entries(METHOD_PRESETS).map(([k, p]) => `  ${k.padEnd(17)}  ${p.summary}`).join("\n")}`;

/**
 * @param args Command-line arguments after `compare`.
 * @returns The exit code: 0 done, 1 failed, 2 usage, 130 interrupted.
 */
export async function main(args: string[]): Promise<number> {
  let v, positionals, seedCount, methods: MethodSpec[], firstSeed: number | null = null;
  try {
    ({ values: v, positionals } = parse(args, {
      seeds: { type: "string", default: "3" },
      "first-seed": { type: "string" },
      methods: { type: "string", default: "seed-only,ser,all-labels" },
      set: { type: "string", multiple: true },
      "run-dir": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    }));
    if (v.help) return console.log(HELP), 0;
    if (positionals.length !== 1) throw new UsageError("expected one pipeline file");
    seedCount = Number(v.seeds);
    if (!Number.isInteger(seedCount) || seedCount < 1) {
      throw new UsageError(`--seeds must be an integer >= 1: current value is ${v.seeds}`);
    }
    if (v["first-seed"] !== undefined) {
      firstSeed = Number(v["first-seed"]);
      if (!Number.isInteger(firstSeed) || firstSeed < 0) {
        throw new UsageError(
          `--first-seed must be an integer >= 0: current value is ${v["first-seed"]}`,
        );
      }
    }
    methods = parseMethods(v.methods!);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0], sets = v.set ?? [];
  const base = await loadPipeline(file, { sets });
  const ser = base.stages.find((s) => s.module.spec.name === "ser");
  if (!ser) {
    throw new Error(
      `Cannot compare as pipeline '${base.name}' has no 'ser' stage: add one (use: ser)`,
    );
  }
  if (!base.stages.some((s) => s.module.spec.name === "report")) {
    throw new Error(
      `Cannot compare as pipeline '${base.name}' has no 'report' stage to write metrics.json: add one (use: report)`,
    );
  }
  const dir = v["run-dir"] ?? join("runs", `${base.name}-compare`);
  const seeds = Array.from({ length: seedCount }, (_, i) => (firstSeed ?? base.seed) + i);
  const started = performance.now();
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("interrupted (SIGINT)"));
  Deno.addSignalListener("SIGINT", onSigint);
  const runs: CompareRun[] = [];
  // The stages before `ser` run once per seed when they are pure: every method of the seed
  // gets their recorded output (the same batches, so the same splits and features).
  const upstream = _upstreamOf(base.stages, ser.id);
  const replayable = upstream.length > 0 && upstream.every((s) => s.module.spec.pure === true);
  const report = base.stages.find((s) => s.module.spec.name === "report")!;
  try {
    for (const seed of seeds) {
      const done = new Map<string, { m: RunMetrics; runDir: string; seconds: number }>();
      const loaded = await Promise.all(methods.map(async ({ name, mode, sets: extra }) => ({
        name,
        mode,
        extra,
        p: await loadPipeline(file, {
          sets: [
            ...sets,
            `seed=${seed}`,
            `stages.${ser.id}.with.mode=${mode}`,
            ...extra.map((x) => `stages.${ser.id}.with.${x}`),
          ],
        }),
        runDir: join(dir, `seed-${seed}`, name.replaceAll(/[^A-Za-z0-9_.+-]/g, "_")),
      })));
      // A seed-only method is the SER run's iteration 0 when a `ser` method has its settings.
      const source = new Map<string, string>();
      for (const l of loaded) {
        if (l.mode !== "seed-only") continue;
        const twin = loaded.find((o) =>
          o.mode === "ser" && o.extra.length === l.extra.length &&
          o.extra.every((x, i) => x === l.extra[i])
        );
        const cfg = l.p.stages.find((s) => s.id === ser.id)!.config as unknown as SerConfig;
        if (twin && seedOnlyIsIterationZero(cfg) === null) source.set(l.name, twin.name);
      }
      let recorded: Record<string, Batch[]> | undefined;
      for (const l of loaded.filter((l) => !source.has(l.name))) {
        const t0 = performance.now();
        const tapped: Record<string, Batch[]> = Object.fromEntries(
          ser.inputs.map((id) => [id, []]),
        );
        const result = await runPipeline(l.p, {
          runDir: l.runDir,
          // One cache for every run: the texts are featurized once for all seeds and methods.
          cacheDir: join(dir, "cache"),
          quiet: !v.verbose,
          progress: v.verbose ? undefined : "none",
          signal: abort.signal,
          ...(replayable && recorded ? { replay: recorded } : {}),
          ...(replayable && !recorded
            ? { tap: (id: string, b: Batch) => tapped[id]?.push(b) }
            : {}),
        });
        if (result.status === "interrupted") {
          console.error("interrupted: compare stopped");
          return 130;
        }
        recorded ??= tapped;
        const m = JSON.parse(
          await Deno.readTextFile(join(l.runDir, "metrics.json")),
        ) as RunMetrics;
        done.set(l.name, { m, runDir: l.runDir, seconds: (performance.now() - t0) / 1000 });
        _printRun(seed, l.name, m, done.get(l.name)!.seconds);
      }
      for (const l of loaded.filter((l) => source.has(l.name))) {
        const t0 = performance.now();
        const from = done.get(source.get(l.name)!)!;
        const m = seedOnlyFromSer(from.m);
        await _writeDerived(l.p, l.runDir, from.runDir, m, report.config as { title?: string });
        done.set(l.name, { m, runDir: l.runDir, seconds: (performance.now() - t0) / 1000 });
        _printRun(seed, l.name, m, done.get(l.name)!.seconds, source.get(l.name));
      }
      for (const { name } of methods) {
        const { m, runDir, seconds } = done.get(name)!;
        const f = m.final!;
        const kept = m.iterations.find((it) => it.iteration === f.iteration);
        runs.push({
          seed,
          method: name,
          testAccuracy: f.testAccuracy ?? NaN,
          validationAccuracy: f.validationAccuracy,
          ece: kept?.ece ?? null,
          calibratedEce: kept?.calibratedEce ?? null,
          labels: m.humanLabels,
          selfLabels: f.selfLabels,
          stopReason: m.stopReason ?? "",
          runDir,
          seconds,
          ...(m.headroom
            ? {
              headroom: {
                predictedGain: m.headroom.predictedGain,
                predictedAllLabels: m.headroom.predictedAllLabels,
                seconds: m.headroom.seconds,
              },
            }
            : {}),
        });
      }
      // The SER runs' reports get this seed's reference levels.
      const seedOnly = done.get("seed-only")?.m.final?.testAccuracy ?? undefined;
      const allLabels = done.get("all-labels")?.m.final?.testAccuracy ?? undefined;
      for (const { name, mode } of methods) {
        if (mode !== "ser" || (seedOnly === undefined && allLabels === undefined)) continue;
        const serMetrics = done.get(name)!.m;
        serMetrics.baselines = { seedOnly, allLabels };
        await writeReports(done.get(name)!.runDir, serMetrics, {
          title: `${base.name} (seed ${seed}, ${name})`,
        });
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  const summary = summarizeCompare(base.name, seeds, runs, methods.map((m) => m.name));
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "compare.json"), JSON.stringify(summary, null, 2) + "\n");
  const table = formatCompareTable(summary);
  await Deno.writeTextFile(
    join(dir, "compare.md"),
    `# ${base.name}: compare\n\n\`\`\`\n${table}\n\`\`\`\n`,
  );
  const wall = (performance.now() - started) / 1000;
  console.log(
    `\n${table}\n\ncompare wall time: ${wall.toFixed(0)} s\nwrote ${join(dir, "compare.json")}`,
  );
  return 0;
}

function _printRun(seed: number, method: string, m: RunMetrics, seconds: number, from?: string) {
  const f = m.final!;
  console.log(
    `seed ${seed}  ${method.padEnd(10)}  test ${((f.testAccuracy ?? NaN) * 100).toFixed(2)}%  ` +
      `kept iteration ${f.iteration}/${f.iterations}  stop ${m.stopReason}  ` +
      `(${seconds.toFixed(0)} s${from ? `: iteration 0 of ${from}` : ""})`,
  );
}

/** Every stage `id` reads from, directly or not. */
function _upstreamOf(stages: readonly StageNode[], id: string): StageNode[] {
  const seen = new Set<string>();
  const visit = (at: string) => {
    for (const i of stages.find((s) => s.id === at)?.inputs ?? []) {
      if (!seen.has(i)) seen.add(i), visit(i);
    }
  };
  visit(id);
  return stages.filter((s) => seen.has(s.id));
}

/**
 * Writes the run directory of a method whose metrics come from another run (a seed-only method
 * from the SER run's iteration 0): `run.json` (naming that run in `derivedFrom`) and the reports
 * the pipeline's report stage would write.
 */
async function _writeDerived(
  p: LoadedPipeline,
  runDir: string,
  from: string,
  metrics: RunMetrics,
  report: { title?: string; formats?: ReportFormat[] },
) {
  const { runId, startedAt } = await prepareRunDir(
    resolve(runDir),
    p,
    false,
    createLogger({ quiet: true }),
  );
  await writeReports(runDir, metrics, {
    title: report.title ?? p.name,
    formats: [...new Set(report.formats ?? ["json", "md", "html"] as const)],
  });
  await writeRunRecord(runDir, {
    runId,
    pipeline: p.name,
    status: "completed",
    startedAt,
    config: p.resolved,
    derivedFrom: relative(runDir, from),
  });
}

/**
 * `deno task compare PIPELINE [--seeds N] [--set path=value ...] [--run-dir DIR]`: runs the
 * pipeline's `ser` stage in `seed-only`, `ser` and `all-labels` mode for N seeds (the pipeline
 * seed, seed + 1, ...; each seed gives its own splits, shared by the three methods), prints a
 * table and writes `compare.json` (and `compare.md`).
 *
 * @module
 */
import { join } from "node:path";
import { loadPipeline } from "../stages/pipelines.ts";
import { runPipeline } from "../pipeline/run.ts";
import {
  COMPARE_METHODS,
  type CompareRun,
  formatCompareTable,
  summarizeCompare,
} from "../report/compare.ts";
import type { RunMetrics } from "../report/metrics.ts";
import { writeReports } from "../report/write.ts";
import { parse, UsageError } from "./args.ts";

const HELP = `usage: deno task compare PIPELINE [options]

  --seeds N          how many seeds (default 3): the pipeline's seed, seed + 1, ...
  --set path=value   override a value (repeatable), e.g. --set backend=cpu
  --run-dir DIR      where the runs and compare.json go (default runs/<name>-compare)
  --verbose          show each run's log`;

/**
 * @param args Command-line arguments after `compare`.
 * @returns The exit code: 0 done, 1 failed, 2 usage, 130 interrupted.
 */
export async function main(args: string[]): Promise<number> {
  let v, positionals, seedCount;
  try {
    ({ values: v, positionals } = parse(args, {
      seeds: { type: "string", default: "3" },
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
  const seeds = Array.from({ length: seedCount }, (_, i) => base.seed + i);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("interrupted (SIGINT)"));
  Deno.addSignalListener("SIGINT", onSigint);
  const runs: CompareRun[] = [];
  try {
    for (const seed of seeds) {
      const metrics: Partial<Record<string, RunMetrics>> = {};
      for (const method of COMPARE_METHODS) {
        const p = await loadPipeline(file, {
          sets: [...sets, `seed=${seed}`, `stages.${ser.id}.with.mode=${method}`],
        });
        const runDir = join(dir, `seed-${seed}`, method);
        const t0 = performance.now();
        const result = await runPipeline(p, {
          runDir,
          // One cache for every run: the texts are featurized once for all seeds and methods.
          cacheDir: join(dir, "cache"),
          quiet: !v.verbose,
          progress: v.verbose ? undefined : "none",
          signal: abort.signal,
        });
        if (result.status === "interrupted") {
          console.error("interrupted: compare stopped");
          return 130;
        }
        const m = JSON.parse(await Deno.readTextFile(join(runDir, "metrics.json"))) as RunMetrics;
        metrics[method] = m;
        const f = m.final!;
        runs.push({
          seed,
          method,
          testAccuracy: f.testAccuracy ?? NaN,
          labels: m.humanLabels,
          selfLabels: f.selfLabels,
          stopReason: m.stopReason ?? "",
          runDir,
        });
        console.log(
          `seed ${seed}  ${method.padEnd(10)}  test ${
            ((f.testAccuracy ?? NaN) * 100).toFixed(2)
          }%  ` +
            `kept iteration ${f.iteration}/${f.iterations}  stop ${m.stopReason}  ` +
            `(${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
      }
      // The SER run's report gets this seed's reference levels.
      const serMetrics = metrics.ser!;
      serMetrics.baselines = {
        seedOnly: metrics["seed-only"]!.final!.testAccuracy ?? undefined,
        allLabels: metrics["all-labels"]!.final!.testAccuracy ?? undefined,
      };
      await writeReports(join(dir, `seed-${seed}`, "ser"), serMetrics, {
        title: `${base.name} (seed ${seed})`,
      });
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  const summary = summarizeCompare(base.name, seeds, runs);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "compare.json"), JSON.stringify(summary, null, 2) + "\n");
  const table = formatCompareTable(summary);
  await Deno.writeTextFile(
    join(dir, "compare.md"),
    `# ${base.name}: compare\n\n\`\`\`\n${table}\n\`\`\`\n`,
  );
  console.log(`\n${table}\n\nwrote ${join(dir, "compare.json")}`);
  return 0;
}

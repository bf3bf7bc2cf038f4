/**
 * `deno task headroom PIPELINE [--seed S] [--set path=value ...] [--run-dir DIR] [--no-measure]`:
 * the headroom check on its own. Runs the pipeline with the `ser` stage's headroom check on
 * and, unless `--no-measure`, trains the all-labels model beside it (the unlabelled split's gold
 * labels) so that the prediction can be read against the measured figure; prints the curve.
 *
 * @module
 */
import { join } from "node:path";
import { loadPipeline } from "../stages/pipelines.ts";
import { runPipeline } from "../pipeline/run.ts";
import type { RunMetrics } from "../report/metrics.ts";
import { parse, UsageError } from "./args.ts";

const HELP = `usage: deno task headroom PIPELINE [options]

  --seed S           the pipeline seed (default: the pipeline's)
  --set path=value   override a value (repeatable), e.g. --set stages.evolve.with.headroom.repeats=3
  --run-dir DIR      where the run goes (default runs/<name>-headroom)
  --no-measure       skip the all-labels training (the measured figure beside the prediction)
  --verbose          show the run's log`;

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * @param args Command-line arguments after `headroom`.
 * @returns The exit code: 0 done, 2 usage, 130 interrupted.
 */
export async function main(args: string[]): Promise<number> {
  let v, positionals;
  try {
    ({ values: v, positionals } = parse(args, {
      seed: { type: "string" },
      set: { type: "string", multiple: true },
      "run-dir": { type: "string" },
      "no-measure": { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    }));
    if (v.help) return console.log(HELP), 0;
    if (positionals.length !== 1) throw new UsageError("expected one pipeline file");
    if (v.seed !== undefined && !/^\d+$/.test(v.seed)) {
      throw new UsageError(`--seed must be an integer >= 0: current value is ${v.seed}`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0], sets = [...(v.set ?? [])];
  if (v.seed !== undefined) sets.push(`seed=${v.seed}`);
  const base = await loadPipeline(file, { sets });
  const ser = base.stages.find((s) => s.module.spec.name === "ser");
  const report = base.stages.some((s) => s.module.spec.name === "report");
  if (!ser || !report) {
    throw new Error(
      `Cannot check headroom as pipeline '${base.name}' needs a 'ser' stage and a 'report' stage: add them (use: ser, use: report)`,
    );
  }
  const mode = v["no-measure"] ? "seed-only" : "all-labels";
  const p = await loadPipeline(file, {
    sets: [
      ...sets,
      `stages.${ser.id}.with.mode=${mode}`,
      `stages.${ser.id}.with.headroom.enabled=true`,
    ],
  });
  const runDir = v["run-dir"] ?? join("runs", `${base.name}-headroom`);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("interrupted (SIGINT)"));
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const result = await runPipeline(p, {
      runDir,
      quiet: !v.verbose,
      progress: v.verbose ? undefined : "none",
      signal: abort.signal,
    });
    if (result.status === "interrupted") return console.error("interrupted"), 130;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  const m = JSON.parse(await Deno.readTextFile(join(runDir, "metrics.json"))) as RunMetrics;
  const h = m.headroom!;
  const lines = [
    `${base.name}: headroom (seed ${p.seed})`,
    "seed labels  test accuracy  per repeat",
  ];
  for (const q of h.points) {
    lines.push(
      `${String(q.labels).padStart(11)}  ${pct(q.mean).padStart(13)}  ${
        q.runs.map((x) => (x * 100).toFixed(2)).join(" ")
      }`,
    );
  }
  const gain = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pts`;
  lines.push(
    "",
    `${h.fit.form} curve: ${pct(h.seedAccuracy)} at the seed's ${h.points.at(-1)?.labels} labels, ${
      pct(h.predictedAllLabels)
    } predicted at all ${h.allLabels} labels ` +
      `(${gain(h.predictedGain)}): the most SER can add by self-labelling`,
  );
  if (h.measuredAllLabels != null) {
    lines.push(
      `measured all-labels (gold): ${pct(h.measuredAllLabels)} (${
        gain(h.measuredAllLabels - h.seedAccuracy)
      } over the curve's seed level)`,
    );
  }
  if (h.matchedEpochs != null) {
    lines.push(
      `shares below the largest trained ${h.matchedEpochs} epoch${
        h.matchedEpochs === 1 ? "" : "s"
      } (the largest share's early-stopped training)`,
    );
  }
  lines.push(`headroom check took ${h.seconds.toFixed(1)} s; report: ${join(runDir, "report.md")}`);
  console.log(lines.join("\n"));
  return 0;
}

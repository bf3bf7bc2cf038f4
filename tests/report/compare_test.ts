import assert from "node:assert/strict";
import {
  type CompareMethod,
  type CompareRun,
  formatCompareTable,
  meanStd,
  summarizeCompare,
} from "../../src/report/compare.ts";

const acc: Record<CompareMethod, number[]> = {
  "seed-only": [0.70, 0.72, 0.71],
  ser: [0.74, 0.75, 0.73],
  "all-labels": [0.80, 0.82, 0.81],
};
const runs: CompareRun[] = [7, 8, 9].flatMap((seed, i) =>
  (Object.keys(acc) as CompareMethod[]).map((method) => ({
    seed,
    method,
    testAccuracy: acc[method][i],
    labels: method === "all-labels" ? 1000 : 100,
    selfLabels: method === "ser" ? 300 + i : 0,
    stopReason: "x",
    runDir: `runs/c/seed-${seed}/${method}`,
  }))
);

Deno.test("meanStd() gives the mean and the sample standard deviation", () => {
  assert.deepEqual(meanStd([2, 4, 4, 4, 5, 5, 7, 9]), { mean: 5, std: Math.sqrt(32 / 7) });
  assert.deepEqual(meanStd([3]), { mean: 3, std: 0 });
});

Deno.test("summarizeCompare() gives per-method means, the gap closed and the per-seed difference", () => {
  const r = summarizeCompare("p", [7, 8, 9], runs);
  assert.deepEqual(r.seeds, [7, 8, 9]);
  assert.deepEqual(r.methods.ser.runs, [0.74, 0.75, 0.73]);
  assert.ok(Math.abs(r.methods["seed-only"].mean - 0.71) < 1e-12);
  assert.ok(Math.abs(r.methods["all-labels"].std - 0.01) < 1e-12);
  assert.equal(r.methods["all-labels"].labels, 1000);
  assert.equal(r.methods.ser.selfLabels, 301);
  // (0.74 - 0.71) / (0.81 - 0.71) = 0.3
  assert.ok(Math.abs(r.gapClosed! - 0.3) < 1e-9);
  // Per-seed differences 0.04, 0.03, 0.02: mean 0.03, std 0.01.
  assert.ok(Math.abs(r.diff.mean - 0.03) < 1e-12);
  assert.ok(Math.abs(r.diff.std - 0.01) < 1e-12);
});

Deno.test("summarizeCompare() names a missing run", () => {
  assert.throws(
    () => summarizeCompare("p", [7, 10], runs),
    new RangeError("Cannot summarize compare as the seed-only run of seed 10 is missing"),
  );
});

Deno.test("formatCompareTable() prints one row per method and the verdict lines", () => {
  const t = formatCompareTable(summarizeCompare("p", [7, 8, 9], runs)).split("\n");
  assert.equal(t[0], "p: 3 seeds (7, 8, 9)");
  assert.match(
    t[3],
    /^seed-only\s+71\.00%\s+1\.00\s+\+0\.00\s+0\.0%\s+100\s+0\s+n\/a\s+n\/a\s+70\.00 72\.00 71\.00$/,
  );
  assert.match(t[4], /^ser\s+74\.00%/);
  assert.match(t[5], /^all-labels\s+81\.00%/);
  assert.ok(t.includes("SER - seed-only: +3.00 pts (std over seeds 1.00)"));
  assert.ok(t.includes("gap closed (seed-only -> all-labels): 30.0%"));
});

Deno.test("summarizeCompare() leaves the gap undefined and formatCompareTable() says why when all-labels is not above seed-only", () => {
  const flat = runs.map((r) =>
    r.method === "all-labels" ? { ...r, testAccuracy: 0.70, validationAccuracy: 0.5 } : {
      ...r,
      validationAccuracy: 0.6,
    }
  );
  const r = summarizeCompare("p", [7, 8, 9], flat);
  assert.equal(r.gap, null);
  assert.equal(r.gapClosed, null);
  assert.equal(r.methods.ser.gapClosed, null);
  assert.deepEqual(r.moreLabelsWorse, [7, 8, 9]);
  const t = formatCompareTable(r);
  assert.match(
    t,
    /gap closed \(seed-only -> all-labels\): undefined, as all-labels \(70\.00%\) is not above seed-only \(71\.00%\)/,
  );
  assert.match(t, /check the training settings/);
  assert.doesNotMatch(t, /gap closed \(seed-only -> all-labels\): -?\d/);
  assert.match(t, /warning: all-labels is worse than seed-only on validation for seeds 7, 8, 9/);
});

Deno.test("summarizeCompare() puts any list of methods in one table with their difference to seed-only", () => {
  const extra = [7, 8, 9].map((seed, i) => ({
    seed,
    method: "ser:committee",
    testAccuracy: [0.76, 0.76, 0.76][i],
    labels: 100,
    selfLabels: 10,
    stopReason: "x",
    runDir: "d",
    seconds: 2,
  }));
  const order = ["seed-only", "ser", "ser:committee", "all-labels"];
  const r = summarizeCompare("p", [7, 8, 9], [...runs, ...extra], order);
  assert.deepEqual(r.order, order);
  // (0.76 - 0.71) / (0.81 - 0.71) = 0.5
  assert.ok(Math.abs(r.methods["ser:committee"].gapClosed! - 0.5) < 1e-9);
  assert.deepEqual(r.methods["ser:committee"].vsSeedOnly!.runs.map((x) => x.toFixed(2)), [
    "0.06",
    "0.04",
    "0.05",
  ]);
  assert.equal(r.methods["ser:committee"].seconds, 2);
  const t = formatCompareTable(r).split("\n");
  assert.match(t[5], /^ser:committee\s+76\.00%\s+0\.00\s+\+5\.00\s+50\.0%/);
});

Deno.test("summarizeCompare() sets the headroom prediction beside the measured gap", () => {
  const withH = runs.map((r) =>
    r.method === "seed-only"
      ? {
        ...r,
        method: "seed-only:headroom",
        headroom: { predictedGain: 0.08, predictedAllLabels: 0.79, seconds: 3 },
      }
      : r
  );
  const r = summarizeCompare("p", [7, 8, 9], withH, ["seed-only:headroom", "ser", "all-labels"]);
  assert.equal(r.headroom?.method, "seed-only:headroom");
  // A method with presets serves as the reference of its mode.
  assert.deepEqual(r.references, {
    seedOnly: "seed-only:headroom",
    allLabels: "all-labels",
    ser: "ser",
  });
  assert.ok(Math.abs(r.gapClosed! - 0.3) < 1e-9);
  assert.ok(Math.abs(r.headroom!.predicted.mean - 0.08) < 1e-12);
  assert.ok(Math.abs(r.headroom!.measured!.mean - 0.10) < 1e-12);
  assert.match(
    formatCompareTable(r),
    /headroom \(seed-only:headroom, 3\.0 s\): predicted all-labels gain \+8\.00 pts .*; measured \+10\.00/,
  );
});

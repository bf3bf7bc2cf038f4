/** A hand-made `RunMetrics` for report tests. */
import type { IterationRecord, RunMetrics } from "../../src/report/metrics.ts";

const bins = [0.5, 0.6, 0.7, 0.8, 0.9].map((lo, i) => ({
  lo,
  hi: lo + 0.1,
  count: [40, 30, 20, 10, 5][i],
  confidence: lo + 0.05,
  accuracy: [0.5, 0.62, 0.7, 0.85, 0.9][i],
}));

function record(
  i: number,
  status: string,
  selected: number,
  val: number,
  test: number,
): IterationRecord {
  return {
    iteration: i,
    status,
    scored: i === 0 ? 0 : 500,
    selected,
    newPairs: selected,
    poolSize: 100 + 100 * i,
    poolByRule: i === 0 ? { human: 100 } : { human: 100, [status]: 100 * i },
    temperature: 1,
    trainEpochs: 3,
    trainLoss: 0.4,
    validationAccuracy: val,
    testAccuracy: test,
    testLoss: 0.6,
    testMargin: 0.5,
    ece: 0.05,
    reliability: bins,
    selfLabelPrecision: i === 0 ? null : 0.9 - 0.05 * i,
  };
}

/** Three iterations, the kept one in the middle, with baselines from compare. */
export function sampleMetrics(): RunMetrics {
  return {
    stopReason: "patience",
    mode: "ser",
    humanLabels: 100,
    iterations: [
      record(0, "seed", 0, 0.6, 0.61),
      record(1, "status1", 100, 0.66, 0.65),
      record(2, "status2", 100, 0.64, 0.64),
    ],
    final: {
      iteration: 1,
      iterations: 2,
      testAccuracy: 0.65,
      validationAccuracy: 0.66,
      selfLabels: 100,
    },
    baselines: { seedOnly: 0.61, allLabels: 0.7 },
  };
}

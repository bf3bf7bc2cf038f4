/** A test stage that takes `ms` per batch (async), records how many batches it holds at once. */
import type { StageContext, StageSpec } from "../../../src/contracts/types.ts";

export const spec: StageSpec = {
  name: "slow",
  summary: "Waits ms per batch (tests).",
  fields: {
    ms: { type: "integer", default: 20, min: 0, description: "Milliseconds per batch." },
    fail_at: { type: "integer", default: -1, description: "Fail on this batch index (-1: never)." },
  },
  examples: [{ title: "Slow", yaml: "use: ./slow.ts\nwith: { ms: 5 }" }],
};

export function operator(cfg: { ms: number; fail_at: number }, ctx: StageContext) {
  return ctx.mapAsync(async (b, i) => {
    if (i === cfg.fail_at) {
      throw new RangeError(`Cannot process batch ${i} as the test asked it to fail`);
    }
    await new Promise((r) => setTimeout(r, cfg.ms));
    if (ctx.signal.aborted) ctx.log.info("saw abort", { batch: i });
    return b;
  });
}

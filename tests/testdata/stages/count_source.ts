/** A test source: `batches` pair batches of `rows` rows each, ids "<prefix>-<n>". */
import type { StageContext, StageSpec } from "../../../src/contracts/types.ts";
import { pairBatch } from "../../../src/data/schema.ts";

export const spec: StageSpec = {
  name: "count_source",
  summary: "Emits numbered pair batches (tests).",
  kind: "source",
  fields: {
    batches: { type: "integer", default: 3, min: 0, description: "Batches to emit." },
    rows: { type: "integer", default: 2, min: 1, description: "Rows per batch." },
    prefix: { type: "string", default: "p", description: "Id prefix." },
    delay_ms: { type: "integer", default: 0, min: 0, description: "Pause before each batch." },
  },
  examples: [{ title: "Three batches", yaml: "use: ./count_source.ts\nwith: { batches: 3 }" }],
};

export function operator(
  cfg: { batches: number; rows: number; prefix: string; delay_ms: number },
  ctx: StageContext,
) {
  async function* gen() {
    let n = 0;
    for (let b = 0; b < cfg.batches; b++) {
      if (cfg.delay_ms) await new Promise((r) => setTimeout(r, cfg.delay_ms));
      (globalThis as Record<string, unknown>).__emitted = b + 1;
      yield pairBatch(Array.from({ length: cfg.rows }, () => {
        const id = `${cfg.prefix}-${n++}`;
        return {
          pair_id: id,
          group_id: id,
          prompt: `prompt ${id}`,
          response_a: "a",
          response_b: "b",
          label: 1 as const,
          split: "" as const,
          gold: null,
          source: ctx.stageId,
        };
      }));
    }
  }
  return () => ctx.source(gen());
}

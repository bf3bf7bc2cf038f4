/**
 * An example user stage: drops pairs whose shorter response has fewer than `min_words` words.
 * It has the same shape as every built-in stage: a `spec` and an `operator`.
 *
 * @module
 */
import { map } from "rxjs";
import { type Batch, type StageContext, type StageSpec, takeRows } from "../../../mod.ts";

export const spec: StageSpec = {
  name: "drop_short",
  summary: "Drops pairs whose shorter response has fewer than min_words words.",
  fields: {
    min_words: {
      type: "integer",
      default: 3,
      min: 0,
      description: "Fewest words a response may have.",
    },
  },
  examples: [{
    title: "Keep answers of 5 words or more",
    yaml: "use: ./stages/drop_short.ts\nwith: { min_words: 5 }",
  }],
};

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

export function operator(cfg: { min_words: number }, ctx: StageContext) {
  let dropped = 0;
  return map((b: Batch) => {
    const a = b.getChild("response_a")!, r = b.getChild("response_b")!;
    const keep: number[] = [];
    for (let i = 0; i < b.numRows; i++) {
      if (Math.min(words(a.get(i)), words(r.get(i))) >= cfg.min_words) keep.push(i);
    }
    dropped += b.numRows - keep.length;
    ctx.log.debug("drop_short", { dropped });
    return keep.length === b.numRows ? b : takeRows(b, keep);
  });
}

/** An example user stage, written with the stage kit: drops pairs with a short response. */
import { defineStage, filterRows } from "../../../mod.ts";

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

export const { spec, operator } = defineStage({
  spec: {
    name: "drop_short",
    summary: "Drops pairs whose shorter response has fewer than min_words words.",
    fields: { min_words: { type: "integer", default: 3, min: 0, description: "Fewest words." } },
    examples: [{
      title: "5 words or more",
      yaml: "use: ./stages/drop_short.ts\nwith: { min_words: 5 }",
    }],
  },
  operator: (cfg) =>
    filterRows((r) => Math.min(words(r.response_a), words(r.response_b)) >= cfg.min_words),
});

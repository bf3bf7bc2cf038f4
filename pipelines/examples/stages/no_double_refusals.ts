/**
 * An example `on_selected` stage: drops candidate self-labels where both responses are refusals
 * (the model's preference between two refusals teaches it nothing about helpfulness).
 */
import { defineStage, filterRows } from "../../../mod.ts";

export const { spec, operator } = defineStage({
  spec: {
    name: "no_double_refusals",
    summary: "Drops pairs whose two responses both match a refusal pattern.",
    fields: {
      patterns: {
        type: "array",
        items: { type: "string", description: "A regular expression (case-insensitive)." },
        default: [
          "\\bI(?:'m| am) sorry\\b",
          "\\bI can(?:not|'t) (?:help|assist|do that)\\b",
          "\\bas an AI\\b",
        ],
        description: "What a refusal looks like.",
      },
    },
    examples: [{
      title: "Drop double refusals before the self-labels are kept",
      yaml: "use: ser\nwith:\n  on_selected: [{ use: ./stages/no_double_refusals.ts }]",
    }],
  },
  operator: (cfg) => {
    const refusal = cfg.patterns.map((p) => new RegExp(p, "i"));
    const refuses = (text: string) => refusal.some((re) => re.test(text));
    return filterRows((r) => !(refuses(r.response_a) && refuses(r.response_b)));
  },
});

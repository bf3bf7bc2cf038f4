/**
 * The field specs of the `ser` stage's `headroom` object.
 *
 * @module
 */
import type { FieldSpec } from "../contracts/types.ts";

/** The fields of `headroom` in the `ser` stage. */
export const HEADROOM_FIELDS: Record<string, FieldSpec> = {
  enabled: {
    type: "boolean",
    default: false,
    description: "Before the loop, train on shares of the seed, fit a learning curve and predict " +
      "what labelling every unlabelled pair would add (report section 'Headroom'; `deno task " +
      "headroom PIPELINE` runs it with the all-labels model beside it).",
  },
  fractions: {
    type: "array",
    items: { type: "number", min: 0, max: 1, description: "A share of the seed." },
    default: [0.125, 0.25, 0.5, 1],
    description: "Shares of the human seed the curve is measured at.",
  },
  repeats: {
    type: "integer",
    default: 2,
    min: 1,
    description: "Trainings per share (other subsets and initial weights).",
  },
  fit: {
    type: "enum",
    values: ["log", "logit", "power"],
    default: "logit",
    description: "The curve: `logit` (log-odds of accuracy linear in ln n), `log` " +
      "(acc = a + b ln n) or `power` (acc = c - b n^-alpha).",
  },
  match_epochs: {
    type: "boolean",
    default: true,
    description: "Train every share below the largest for the epochs the largest share's early " +
      "stopping kept (false: each share stops early on its own, which keeps more passes on small " +
      "shares and flattens the curve).",
  },
};

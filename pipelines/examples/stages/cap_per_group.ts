/**
 * An example `on_selected` stage: keeps at most `max` self-labels per prompt group in each
 * iteration (the most confident ones), so a few prompts with many answers do not dominate the
 * self-labelled pool. It sees all of an iteration's candidates before deciding.
 */
import { map, toArray } from "rxjs";
import { batchOf, defineStage, rowsOf } from "../../../mod.ts";

export const { spec, operator } = defineStage({
  spec: {
    name: "cap_per_group",
    summary: "Keeps at most `max` candidate self-labels per group_id, the largest margins first.",
    fields: { max: { type: "integer", default: 2, min: 1, description: "Labels per group." } },
    examples: [{
      title: "Two self-labels per prompt and iteration",
      yaml:
        "use: ser\nwith:\n  on_selected: [{ use: ./stages/cap_per_group.ts, with: { max: 2 } }]",
    }],
  },
  operator: (cfg) => (source) =>
    source.pipe(
      toArray(),
      map((batches) => {
        const rows = batches.flatMap(rowsOf);
        const best = [...rows].sort((a, b) =>
          (b.margin as number) - (a.margin as number) ||
          String(a.pair_id).localeCompare(String(b.pair_id))
        );
        const taken = new Map<unknown, number>(), keep = new Set<unknown>();
        for (const r of best) {
          const n = taken.get(r.group_id) ?? 0;
          if (n < cfg.max) taken.set(r.group_id, n + 1), keep.add(r.pair_id);
        }
        return batchOf(rows.filter((r) => keep.has(r.pair_id)), batches[0]?.schema);
      }),
    ),
});

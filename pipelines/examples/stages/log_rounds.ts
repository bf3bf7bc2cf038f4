/**
 * An example `on_iteration` stage: exports each round's metrics to `<run dir>/<dir>/round-<k>.json`
 * (rewritten, not appended, so a resumed run leaves the same files) and stops the loop once the
 * validation accuracy reaches `stop_at`.
 */
import { join } from "node:path";
import { defineStage, rowsOf } from "../../../mod.ts";

export const { spec, operator } = defineStage({
  spec: {
    name: "log_rounds",
    summary: "Writes each SER round's metrics to a JSON file; optionally stops the loop early.",
    fields: {
      dir: { type: "string", default: "rounds", description: "Folder under the run directory." },
      stop_at: { type: "number", min: 0, max: 1, description: "Stop at this validation accuracy." },
    },
    examples: [{
      title: "Export every round; stop at 90% validation accuracy",
      yaml:
        "use: ser\nwith:\n  on_iteration: [{ use: ./stages/log_rounds.ts, with: { stop_at: 0.9 } }]",
    }],
  },
  operator: (cfg, ctx) =>
    ctx.mapAsync(async (batch) => {
      const dir = join(ctx.runDir, cfg.dir);
      await Deno.mkdir(dir, { recursive: true });
      for (const r of rowsOf(batch)) {
        await Deno.writeTextFile(join(dir, `round-${r.iteration}.json`), JSON.stringify(r) + "\n");
        ctx.log.info("round", { iteration: r.iteration, validation: r.validation_accuracy });
        const acc = r.validation_accuracy as number | null;
        if (cfg.stop_at !== undefined && acc !== null && acc >= cfg.stop_at) return null;
      }
      return batch;
    }),
});

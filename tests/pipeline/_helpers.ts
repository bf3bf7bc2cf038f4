/** Helpers for pipeline tests: write a pipeline file to a temp dir and load it. */
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { PipelineConfigError } from "../../src/pipeline/errors.ts";

/** Absolute path of the test stage modules. */
export const STAGES_DIR = fromFileUrl(new URL("../testdata/stages/", import.meta.url));

/** Writes `text` as a pipeline file next to the test stages and returns its path. */
export async function writePipeline(text: string, name = "p.yaml"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-pipe-" });
  const file = join(dir, name);
  await Deno.writeTextFile(file, text.replaceAll("$STAGES/", STAGES_DIR));
  return file;
}

/** Loads `text` as a pipeline and returns the formatted problems (empty when valid). */
export async function problemsOf(text: string, sets: string[] = []): Promise<string[]> {
  const file = await writePipeline(text);
  try {
    await loadPipeline(file, { sets });
    return [];
  } catch (e) {
    if (!(e instanceof PipelineConfigError)) throw e;
    return e.message.split("\n").slice(1).map((l) => l.trim().replace(file, "FILE"));
  }
}

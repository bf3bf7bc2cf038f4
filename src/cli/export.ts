/**
 * `deno task export POOL --format trl-jsonl|parquet --out FILE [--origin human|self|all]
 * [--min-margin M] [--split seed,unlabelled]`: the labelled pool as prompt/chosen/rejected.
 *
 * @module
 */
import { parse, UsageError } from "./args.ts";
import { type CliIo, CONSOLE_IO, poolPath } from "./query.ts";
import { Pool } from "../pool/pool.ts";
import { EXPORT_FORMATS, EXPORT_SPLITS, type ExportOptions, exportPool } from "../pool/export.ts";

const USAGE = `usage: deno task export POOL --format trl-jsonl|parquet --out FILE [options]

Writes each labelled pair of the pool (its current label) as prompt, chosen, rejected,
origin, margin, iteration, pair_id: the columns TRL's RewardTrainer and DPOTrainer read.
POOL is a pool.duckdb file or a run directory holding one.

options:
  --format trl-jsonl|parquet    one JSON object per line, or Parquet (required)
  --out FILE                    the output file (required)
  --origin human|self|all       which labels (default: all)
  --min-margin M                keep self-labels with margin >= M (human labels are kept)
  --split LIST                  comma-separated splits (default: seed,unlabelled, the
                                training pool; test pairs carry no labels in the pool)
  -h, --help                    this help`;

/**
 * @param args Command-line arguments after `export`.
 * @param io Where to write (default: the console).
 * @returns The exit code: 0 done, 1 an error, 2 a usage error.
 */
export async function main(args: string[], io: CliIo = CONSOLE_IO): Promise<number> {
  let opts: ExportOptions;
  let poolArg: string;
  try {
    const { values: v, positionals } = parse(args, {
      format: { type: "string" },
      out: { type: "string" },
      origin: { type: "string", default: "all" },
      "min-margin": { type: "string" },
      split: { type: "string", default: "seed,unlabelled" },
      help: { type: "boolean", short: "h" },
    });
    if (v.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`expected POOL, got ${positionals.length} arguments`);
    }
    poolArg = positionals[0];
    if (!EXPORT_FORMATS.includes(v.format as ExportOptions["format"])) {
      throw new UsageError(
        `--format must be one of ${EXPORT_FORMATS.join(", ")}: got '${v.format ?? ""}'`,
      );
    }
    if (!v.out) throw new UsageError(`--out FILE is required`);
    if (!["human", "self", "all"].includes(v.origin!)) {
      throw new UsageError(`--origin must be human, self or all: got '${v.origin}'`);
    }
    const margin = v["min-margin"];
    if (margin !== undefined && (margin.trim() === "" || !Number.isFinite(Number(margin)))) {
      throw new UsageError(`--min-margin must be a number: got '${margin}'`);
    }
    const splits = v.split!.split(",").map((s) => s.trim()).filter((s) => s);
    const bad = splits.filter((s) => !(EXPORT_SPLITS as readonly string[]).includes(s));
    if (bad.length || !splits.length) {
      throw new UsageError(`--split takes ${EXPORT_SPLITS.join(", ")}: got '${v.split}'`);
    }
    opts = {
      format: v.format as ExportOptions["format"],
      out: v.out,
      origin: v.origin as ExportOptions["origin"],
      minMargin: margin === undefined ? null : Number(margin),
      splits: splits as ExportOptions["splits"],
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  let pool: Pool | undefined;
  try {
    pool = await Pool.open(poolPath(poolArg), { readOnly: true });
    const s = await exportPool(pool, opts);
    io.err(`exported ${s.rows} pairs (${s.human} human, ${s.self} self) to ${opts.out}`);
    if (s.rows === 0) io.err(`warning: nothing matched: check --split, --origin and --min-margin`);
    return 0;
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await pool?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

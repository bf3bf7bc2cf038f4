/**
 * `deno task export POOL --format trl-jsonl|parquet|openrlhf-jsonl|hf-dataset --out PATH
 * [--conversational] [--margin none|from-confidence] [--origin ...] [--min-margin M] [--split ...]`:
 * the labelled pool as preference data for TRL, OpenRLHF or a Hugging Face dataset folder.
 *
 * @module
 */
import { parse, UsageError } from "./args.ts";
import { type CliIo, CONSOLE_IO, poolPath } from "./query.ts";
import { Pool } from "../pool/pool.ts";
import {
  EXPORT_FORMATS,
  EXPORT_SPLITS,
  type ExportOptions,
  exportPool,
  MARGIN_SOURCES,
} from "../pool/export.ts";

const USAGE = `usage: deno task export POOL --format FORMAT --out PATH [options]

Writes each labelled pair of the pool (its current label) for a reward-model trainer.
POOL is a pool.duckdb file or a run directory holding one.

formats (--format):
  trl-jsonl        JSON lines: prompt, chosen, rejected (TRL's RewardTrainer/DPOTrainer;
                   prompt + chosen is the full text)
  parquet          the same columns in one Parquet file
  openrlhf-jsonl   JSON lines: chosen, rejected as full texts (OpenRLHF's default keys)
  hf-dataset       a folder: data/train-*.parquet (TRL's columns) and a dataset card
                   README.md; datasets.load_dataset(PATH) opens it
every row also has serflow: {pair_id, origin, iteration, rule, self_margin} (provenance;
trainers ignore it), and margin (the loss margin trainers read) only with --margin.

options:
  --out PATH                    the output file; the folder for hf-dataset (required)
  --conversational              chat messages [{role, content}] instead of text (HH
                                transcripts and rendered chats become turns)
  --margin none|from-confidence write no margin column (default), or margin = the
                                self-label's reward margin (trainers add it to the loss)
  --human-margin M              margin of human labels with --margin from-confidence
                                (default 0)
  --origin human|self|all       which labels (default: all)
  --min-margin M                keep self-labels with reward margin >= M (human labels
                                are kept)
  --split LIST                  comma-separated splits (default: seed,unlabelled, the
                                training pool; test pairs carry no labels in the pool)
  --shard-rows N                rows per Parquet shard of hf-dataset (default 100000)
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
      conversational: { type: "boolean", default: false },
      margin: { type: "string", default: "none" },
      "human-margin": { type: "string" },
      origin: { type: "string", default: "all" },
      "min-margin": { type: "string" },
      split: { type: "string", default: "seed,unlabelled" },
      "shard-rows": { type: "string" },
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
    if (!v.out) {
      throw new UsageError(`--out ${v.format === "hf-dataset" ? "DIR" : "FILE"} is required`);
    }
    if (!["human", "self", "all"].includes(v.origin!)) {
      throw new UsageError(`--origin must be human, self or all: got '${v.origin}'`);
    }
    if (!(MARGIN_SOURCES as readonly string[]).includes(v.margin!)) {
      throw new UsageError(
        `--margin must be one of ${MARGIN_SOURCES.join(", ")}: got '${v.margin}'`,
      );
    }
    const minMargin = _number(v["min-margin"], "--min-margin");
    const humanMargin = _number(v["human-margin"], "--human-margin");
    if (humanMargin !== undefined && v.margin !== "from-confidence") {
      throw new UsageError(`--human-margin needs --margin from-confidence`);
    }
    let shardRows: number | undefined;
    if (v["shard-rows"] !== undefined) {
      if (v.format !== "hf-dataset") throw new UsageError(`--shard-rows applies to hf-dataset`);
      shardRows = Number(v["shard-rows"]);
      if (!/^\d+$/.test(v["shard-rows"].trim()) || shardRows < 1) {
        throw new UsageError(`--shard-rows must be a positive integer: got '${v["shard-rows"]}'`);
      }
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
      minMargin: minMargin ?? null,
      splits: splits as ExportOptions["splits"],
      conversational: v.conversational,
      margin: v.margin as ExportOptions["margin"],
      humanMargin,
      shardRows,
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
    if (opts.format === "hf-dataset") {
      io.err(`  ${s.files.length - 1} Parquet shard(s) and README.md`);
    }
    if (s.rows === 0) io.err(`warning: nothing matched: check --split, --origin and --min-margin`);
    return 0;
  } catch (e) {
    io.err(`error: ${(e as Error).message}`);
    return 1;
  } finally {
    await pool?.close();
  }
}

function _number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === "" || !Number.isFinite(Number(text))) {
    throw new UsageError(`${flag} must be a number: got '${text}'`);
  }
  return Number(text);
}

if (import.meta.main) Deno.exit(await main(Deno.args));

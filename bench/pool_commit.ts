/**
 * The first SER iteration's pool transaction at scale, phase by phase: every input pair written
 * in one `insertPairs` call (as the SER store does), the human seed labels, the iteration record,
 * COMMIT. Synthetic pairs are generated once (`base`, default 100,000) and tiled with new ids up
 * to `pairs`, one pair in 20 a seed pair.
 *
 * Usage: `deno run -A bench/pool_commit.ts [pairs] [base]`, e.g. `1000000`. Set `PER_BATCH=1` to
 * write the batches one call each instead. The pool file is made in a temporary folder under
 * `runs/` and removed at the end.
 *
 * @module
 */
import { syntheticRows } from "./lib/world_data.ts";
import { pairBatch, type PairRow } from "../src/data/schema.ts";
import { Pool } from "../src/pool/pool.ts";
import type { Batch } from "../src/contracts/types.ts";

const pairs = Number(Deno.args[0] ?? 100_000);
const base = Math.min(pairs, Number(Deno.args[1] ?? 100_000));
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2) + " GiB";
let t = performance.now();
const lap = (what: string) => {
  const now = performance.now();
  console.log(
    `${what.padEnd(24)} ${((now - t) / 1e3).toFixed(2).padStart(8)} s  rss ${
      gib(Deno.memoryUsage().rss)
    }`,
  );
  t = now;
};

const world = syntheticRows(base, 7);
lap("generate");
const rows: PairRow[] = [];
for (let i = 0; i < pairs; i++) {
  const r = world[i % base];
  const split = i % 20 === 0
    ? "seed"
    : i % 20 === 1
    ? "validation"
    : i % 5 === 2
    ? "test"
    : "unlabelled";
  const unlabelled = split === "unlabelled";
  rows.push({
    ...r,
    pair_id: i < base ? r.pair_id : `${r.pair_id}-${Math.floor(i / base)}`,
    split,
    label: unlabelled ? null : r.label,
    gold: unlabelled ? r.label : null,
  });
}
const batches: Batch[] = [];
for (let s = 0; s < pairs; s += 8192) batches.push(pairBatch(rows.slice(s, s + 8192)));
lap("arrow batches");

await Deno.mkdir("runs", { recursive: true });
const dir = await Deno.makeTempDir({ dir: "runs", prefix: "pool-commit-" });
try {
  const pool = await Pool.open(`${dir}/pool.duckdb`);
  await pool.startRun({ runId: "bench", pipeline: "pool-commit" });
  lap("open");
  const seed = rows.filter((r) => r.split === "seed");
  const started = performance.now();
  await pool.transaction(async (tx) => {
    if (Deno.env.get("PER_BATCH")) { for (const b of batches) await tx.insertPairs(b); }
    else await tx.insertPairs(batches);
    lap("pair write");
    await tx.appendLabels({
      pairId: seed.map((r) => r.pair_id),
      label: seed.map((r) => r.label!),
      origin: "human",
      iteration: 0,
      rule: "seed",
      pA: seed.map(() => null),
      pB: seed.map(() => null),
      margin: seed.map(() => null),
      swapped: seed.map(() => false),
    }, { skipDuplicates: true });
    lap("seed labels");
    await tx.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: seed.length });
  });
  lap("commit");
  console.log(`transaction ${((performance.now() - started) / 1e3).toFixed(1)} s`);
  await pool.close();
  lap("close");
  console.log(
    `pool file ${((await Deno.stat(`${dir}/pool.duckdb`)).size / 2 ** 20).toFixed(1)} MiB`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
const hwm = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/);
if (hwm) console.log(`peak RSS ${gib(Number(hwm[1]) * 1024)}`);

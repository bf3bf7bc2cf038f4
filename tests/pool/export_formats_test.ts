import assert from "node:assert/strict";
import { join } from "node:path";
import { main as exportCli } from "../../src/cli/export.ts";
import { exportPool } from "../../src/pool/export.ts";
import {
  promptKind,
  promptMessages,
  responseMessages,
  responseText,
} from "../../src/pool/export_text.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { captureIo } from "./_helpers.ts";
import { exportRunPool } from "./_export_fixture.ts";

const readJsonl = async (file: string) =>
  (await Deno.readTextFile(file)).split("\n").filter((l) => l).map((l) => JSON.parse(l));

Deno.test("prompts become chat turns: HH transcripts, rendered role blocks, plain text", () => {
  const hh = "\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: And 3+3?\n\nAssistant:";
  assert.equal(promptKind(hh), "hh");
  assert.deepEqual(promptMessages(hh), [
    { role: "user", content: "What is 2+2?" },
    { role: "assistant", content: "4." },
    { role: "user", content: "And 3+3?" },
  ]);
  assert.deepEqual(responseMessages(hh, "6.\n\nHuman: Sure?\n\nAssistant: Yes."), [
    { role: "assistant", content: "6." },
    { role: "user", content: "Sure?" },
    { role: "assistant", content: "Yes." },
  ]);
  const rendered = "System: Be brief.\n\nUser: Hi\n\nthere\n\nAssistant: Hello.\n\nUser: Bye";
  assert.equal(promptKind(rendered), "rendered");
  assert.deepEqual(promptMessages(rendered), [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi\n\nthere" },
    { role: "assistant", content: "Hello." },
    { role: "user", content: "Bye" },
  ]);
  assert.deepEqual(responseMessages(rendered, "See you."), [
    { role: "assistant", content: "See you." },
  ]);
  assert.deepEqual(responseMessages(rendered, "Assistant: Ok.\n\nUser: Thanks"), [
    { role: "assistant", content: "Ok." },
    { role: "user", content: "Thanks" },
  ]);
  const plain = "Summarise:\n\nUser: is not a role here when the text starts otherwise";
  assert.equal(promptKind(plain), "plain");
  assert.deepEqual(promptMessages(plain), [{ role: "user", content: plain }]);
  // prompt + responseText is the full text.
  assert.equal(hh + responseText(hh, "6."), `${hh} 6.`);
  assert.equal(responseText(rendered, "See you."), "\n\nAssistant: See you.");
  assert.equal(responseText(rendered, "Assistant: Ok."), "\n\nAssistant: Ok.");
  assert.equal(responseText("Why?", "Because."), "\n\nBecause.");
  assert.equal(responseText("Complete: ", "x"), "x");
  assert.equal(responseText("", "x"), "x");
});

Deno.test("export --conversational writes message lists in TRL and OpenRLHF keys", async () => {
  const pool = await exportRunPool();
  const dir = await Deno.makeTempDir();
  const trl = join(dir, "trl.jsonl"), orl = join(dir, "orl.jsonl");
  for (const [format, out] of [["trl-jsonl", trl], ["openrlhf-jsonl", orl]]) {
    const cap = captureIo();
    assert.equal(
      await exportCli([pool, "--format", format, "--out", out, "--conversational"], cap.io),
      0,
    );
    assert.deepEqual(cap.err, [`exported 10 pairs (4 human, 6 self) to ${out}`]);
  }
  const rows = await readJsonl(trl);
  const byId = new Map(rows.map((r) => [r.serflow.pair_id, r]));
  // Order: labelling order; p05 was relabelled in iteration 2, so it comes last.
  assert.deepEqual(
    rows.map((r) => r.serflow.pair_id),
    ["p00", "p01", "p02", "p03", "p04", "p06", "p07", "p08", "p09", "p05"],
  );
  assert.deepEqual(byId.get("p01").prompt, [
    { role: "user", content: "What is the capital of France?" },
    { role: "assistant", content: "Paris." },
    { role: "user", content: "And of Italy?" },
  ]);
  // p07: self-label for a (the bad response, which continues the HH conversation).
  assert.deepEqual(byId.get("p07").chosen, [
    { role: "assistant", content: "Milan." },
    { role: "user", content: "Are you sure?" },
    { role: "assistant", content: "No." },
  ]);
  assert.deepEqual(byId.get("p07").rejected, [
    { role: "assistant", content: "Rome is the capital of Italy." },
  ]);
  assert.deepEqual(byId.get("p03").prompt.map((m: { role: string }) => m.role), [
    "system",
    "user",
    "assistant",
    "user",
  ]);
  assert.deepEqual(byId.get("p05").serflow, {
    pair_id: "p05",
    origin: "self",
    iteration: 2,
    rule: "status2",
    self_margin: 0.5,
  });
  const full = await readJsonl(orl);
  assert.deepEqual(Object.keys(full[0]), ["chosen", "rejected", "serflow"]);
  for (const [i, r] of full.entries()) {
    assert.deepEqual(r.chosen, [...rows[i].prompt, ...rows[i].chosen]);
    assert.deepEqual(r.rejected, [...rows[i].prompt, ...rows[i].rejected]);
  }
});

Deno.test("export hf-dataset writes Parquet shards and a dataset card; a rerun replaces them", async () => {
  const pool = await exportRunPool();
  const dir = join(await Deno.makeTempDir(), "ds");
  const cap = captureIo();
  assert.equal(
    await exportCli([pool, "--format", "hf-dataset", "--out", dir, "--shard-rows", "4"], cap.io),
    0,
  );
  assert.deepEqual(cap.err, [
    `exported 10 pairs (4 human, 6 self) to ${dir}`,
    "  3 Parquet shard(s) and README.md",
  ]);
  const shards = () => [...Deno.readDirSync(join(dir, "data"))].map((e) => e.name).sort();
  assert.deepEqual(shards(), [
    "train-00000-of-00003.parquet",
    "train-00001-of-00003.parquet",
    "train-00002-of-00003.parquet",
  ]);
  await withPool(pool, async (p) => {
    const r = await p.query(
      `SELECT count(*), count(DISTINCT filename), min(serflow.iteration), max(serflow.iteration)
       FROM read_parquet('${dir}/data/*.parquet', filename = true)`,
    );
    assert.deepEqual(r.rows, [[10n, 3n, 0, 2]]);
  }, { readOnly: true });
  const card = await Deno.readTextFile(join(dir, "README.md"));
  assert.ok(card.startsWith("---\nconfigs:\n  - config_name: default\n"), card.slice(0, 200));
  assert.ok(card.includes("path: data/train-*.parquet"));
  for (
    const text of [
      "# fixture: preference pairs labelled by serflow",
      "10 preference pairs from the labelled pool of serflow run `fixture-run` (pipeline " +
      "`fixture`): 4 labelled by humans, 6 self-labelled",
      "| human | seed | 0 | 4 |",
      "| self | status1 | 1 | 2 |",
      "| self | status2 | 1 | 2 |",
      "| self | status2 | 2 | 2 |",
      "| data/chat.jsonl | 5 |",
      "| data/hh.jsonl | 5 |",
      "| status | completed (patience) |",
      "| serflow commit | 0123abc |",
      "```yaml\nname: fixture\nseed: 7\n",
      "| `serflow.self_margin` |",
    ]
  ) assert.ok(card.includes(text), `card lacks ${JSON.stringify(text)}:\n${card}`);
  assert.ok(!card.includes("| `margin` |"));
  // A second export with fewer shards leaves no stale shard behind.
  assert.equal(await exportCli([pool, "--format", "hf-dataset", "--out", dir], captureIo().io), 0);
  assert.deepEqual(shards(), ["train-00000-of-00001.parquet"]);
});

Deno.test("export of an empty selection writes empty but loadable files", async () => {
  const pool = await exportRunPool();
  const dir = await Deno.makeTempDir();
  await withPool(pool, async (p) => {
    for (const format of ["trl-jsonl", "parquet", "hf-dataset"] as const) {
      const out = join(dir, format);
      const s = await exportPool(p, { format, out, splits: ["test"] });
      assert.deepEqual([s.rows, s.human, s.self], [0, 0, 0]);
    }
    assert.equal(await Deno.readTextFile(join(dir, "trl-jsonl")), "");
    const r = await p.query(`SELECT count(*) FROM '${dir}/hf-dataset/data/*.parquet'`);
    assert.deepEqual(r.rows, [[0n]]);
  }, { readOnly: true });
});

Deno.test("Pool.forEachChunk streams one SELECT in chunks and refuses anything else", async () => {
  const pool = await exportRunPool();
  await withPool(pool, async (p) => {
    const sizes: number[] = [];
    let first: unknown[] = [];
    const n = await p.forEachChunk("SELECT range AS i FROM range(5000)", (rows, cols) => {
      if (!sizes.length) first = [cols, rows[0]];
      sizes.push(rows.length);
    });
    assert.equal(n, 5000);
    assert.ok(sizes.length >= 2, `one chunk of ${sizes}`);
    assert.equal(sizes.reduce((a, b) => a + b), 5000);
    assert.deepEqual(first, [["i"], [0n]]);
    await assert.rejects(
      p.forEachChunk("DELETE FROM labels", () => {}),
      /Cannot stream from pool '.*' as the statement is a DELETE: pass one SELECT/,
    );
    await assert.rejects(
      p.forEachChunk("SELECT 1; SELECT 2", () => {}),
      /as the SQL holds 2 statements: pass one SELECT/,
    );
  }, { readOnly: true });
});

Deno.test("export refuses outputs it cannot write before reading the pool, exit 1", async () => {
  const pool = await exportRunPool();
  const dir = await Deno.makeTempDir();
  const file = join(dir, "a.jsonl"), user = join(dir, "mine");
  await Deno.writeTextFile(file, "");
  await Deno.mkdir(user);
  await Deno.writeTextFile(join(user, "README.md"), "# my notes\n");
  const cases: [string[], string][] = [
    [
      ["--format", "trl-jsonl", "--out", join(dir, "no", "x.jsonl")],
      `error: Cannot export to '${join(dir, "no", "x.jsonl")}' as its folder '${
        join(dir, "no")
      }' ` +
      "does not exist: create it first",
    ],
    [
      ["--format", "parquet", "--out", dir],
      `error: Cannot export to '${dir}' as it is a folder: pass a file name`,
    ],
    [
      ["--format", "hf-dataset", "--out", file],
      `error: Cannot export an hf-dataset to '${file}' as it is a file: pass a folder (it is created)`,
    ],
    [
      ["--format", "hf-dataset", "--out", user],
      `error: Cannot export an hf-dataset to '${user}' as its README.md is not a serflow dataset ` +
      "card and would be overwritten: pass a new or empty folder",
    ],
  ];
  for (const [args, msg] of cases) {
    const cap = captureIo();
    assert.equal(await exportCli([pool, ...args], cap.io), 1);
    assert.deepEqual(cap.err, [msg]);
  }
  assert.equal(await Deno.readTextFile(join(user, "README.md")), "# my notes\n");
  // A folder that does not exist yet is created, parents included.
  const fresh = join(dir, "new", "ds");
  assert.equal(
    await exportCli([pool, "--format", "hf-dataset", "--out", fresh], captureIo().io),
    0,
  );
  assert.ok((await Deno.stat(join(fresh, "README.md"))).isFile);
});

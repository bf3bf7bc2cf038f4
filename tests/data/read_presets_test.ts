import assert from "node:assert/strict";
import { preferredOf, readAll } from "./_read.ts";
import { groupId } from "../../src/data/hash.ts";
import { resolveFields } from "../../src/data/presets.ts";

Deno.test("hh-rlhf preset: extracts prompts, drops identical pairs, duplicates and skips no-prompt rows", async () => {
  const { rows, stats, rejects } = await readAll("hh_small.jsonl", {
    preset: "hh-rlhf",
    onError: "skip",
  });
  assert.deepEqual(
    {
      read: stats.read,
      kept: stats.kept,
      identical: stats.identical,
      duplicates: stats.duplicates,
      rejects: stats.rejects,
    },
    { read: 7, kept: 4, identical: 1, duplicates: 1, rejects: 1 },
  );
  assert.equal(
    stats.read,
    stats.kept + stats.duplicates + stats.ties + stats.rejects + stats.identical,
  );
  assert.deepEqual(rejects.map((r) => [r.file, r.line]), [["hh_small.jsonl", 5]]);
  assert.match(rejects[0].reason, /share no prompt/);
  const bread = rows[0];
  assert.equal(bread.prompt, "\n\nHuman: How do I bake bread?\n\nAssistant:");
  assert.deepEqual(preferredOf(bread), {
    preferred: "Mix flour, water, salt and yeast, knead, let it rise, then bake at 230C.",
    other: "Buy some.",
  });
  assert.equal(bread.source, "hh_small.jsonl:1");
  const multi = rows.find((r) => r.source === "hh_small.jsonl:2")!;
  assert.ok(multi.prompt.endsWith("And of Italy?\n\nAssistant:"));
  assert.deepEqual(preferredOf(multi), { preferred: "Rome.", other: "Milan, I think." });
  // Transcripts that differ before the last turn: the prompt stops at the last shared turn.
  const drag = rows.find((r) => r.source === "hh_small.jsonl:3")!;
  assert.ok(drag.prompt.endsWith("Isn't that drag kings?\n\nAssistant:"));
  assert.equal(
    preferredOf(drag).other,
    "Drag kings are the same.  Human: really?\n\nAssistant: Yes.",
  );
});

Deno.test("hh-rlhf preset: group_id is the first human turn, so follow-ups of one question share a group", async () => {
  const { rows } = await readAll("hh_small.jsonl", { preset: "hh-rlhf", onError: "skip" });
  const first = rows.find((r) => r.source === "hh_small.jsonl:1")!;
  const again = rows.find((r) => r.source === "hh_small.jsonl:7")!;
  assert.notEqual(first.pair_id, again.pair_id);
  assert.equal(first.group_id, again.group_id);
  assert.equal(first.group_id, groupId("How do I bake bread?"));
});

Deno.test("prompt-chosen-rejected preset: reads TRL's standard, conversational and implicit-prompt forms", async () => {
  const { rows, stats } = await readAll("trl_pairs.jsonl");
  assert.deepEqual([stats.read, stats.kept, stats.identical], [4, 3, 1]);
  assert.equal(rows[0].prompt, "What color is the sky?");
  assert.deepEqual(preferredOf(rows[0]), { preferred: "Blue on a clear day.", other: "Green." });
  assert.equal(rows[1].prompt, "User: Name a prime number.");
  assert.deepEqual(preferredOf(rows[1]), { preferred: "7", other: "8" });
  assert.equal(rows[1].group_id, groupId("Name a prime number."));
  assert.equal(rows[2].prompt, "System: Be brief.\n\nUser: 2+2?");
  assert.deepEqual(preferredOf(rows[2]), { preferred: "4", other: "5" });
  assert.equal(rows[2].group_id, groupId("2+2?"));
});

Deno.test("pairwise-label preset with a fields mapping and label values reads a CSV; ties dropped or kept", async () => {
  const opts = {
    preset: "pairwise-label" as const,
    fields: resolveFields("pairwise-label", {
      prompt: "question",
      response_a: "left",
      response_b: "right",
      label: "winner",
    }),
    labels: { a: ["left"], b: ["right"], tie: ["same"] },
  };
  const dropped = await readAll("pairwise.csv", opts);
  assert.deepEqual([dropped.stats.read, dropped.stats.kept, dropped.stats.ties], [4, 3, 1]);
  assert.deepEqual(dropped.rows.map((r) => preferredOf(r).preferred), ["4", "cat", "necessary"]);
  assert.deepEqual(dropped.rows.map((r) => r.source), [
    "pairwise.csv:2",
    "pairwise.csv:3",
    "pairwise.csv:5",
  ]);
  const kept = await readAll("pairwise.csv", { ...opts, ties: "unlabelled" });
  assert.deepEqual([kept.stats.kept, kept.stats.ties, kept.stats.unlabelledTies], [4, 0, 1]);
  const tie = kept.rows.find((r) => r.prompt === "Best pet?")!;
  assert.equal(tie.label, null);
  assert.deepEqual([tie.response_a, tie.response_b].sort(), [
    "A cat, obviously",
    "A dog, obviously",
  ]);
});

Deno.test("multi-annotator preset reads PandaLM's JSON array by strict majority, prompt = instruction + input", async () => {
  const { rows, stats } = await readAll("pandalm_small.json", { preset: "multi-annotator" });
  // idx 0: a (3 votes); idx 1: b (2 of 3); idx 2: 1/2/0 no majority; idx 3: 0/0/1 tie; idx 4: a.
  assert.deepEqual([stats.read, stats.kept, stats.ties], [5, 3, 2]);
  assert.equal(rows[0].prompt, "Add two numbers.\n\n2 and 3");
  assert.deepEqual(preferredOf(rows[0]), { preferred: "5", other: "6" });
  assert.deepEqual(preferredOf(rows[1]), { preferred: "5", other: "23" });
  assert.equal(rows[0].group_id, rows[1].group_id);
  assert.equal(rows[2].prompt, "Is 2 even?");
  // A response stored as JSON `true` reads as its text.
  assert.deepEqual(preferredOf(rows[2]), { preferred: "true", other: "No." });
  assert.equal(rows[2].source, "pandalm_small.json:42");
});

Deno.test("fields that a preset does not use are refused with what it reads", () => {
  assert.throws(
    () => resolveFields("hh-rlhf", { label: "winner" }),
    new TypeError(
      "Cannot map fields.label as format 'hh-rlhf' does not use it: it reads chosen, rejected, group; " +
        "remove fields.label or pick another format",
    ),
  );
});

Deno.test("a/b order is seeded: stable for a seed, about half the labels are -1, and the seed changes it", async () => {
  const a = await readAll("hh_small.jsonl", { preset: "hh-rlhf", onError: "skip", seed: 1 });
  const b = await readAll("hh_small.jsonl", { preset: "hh-rlhf", onError: "skip", seed: 1 });
  assert.deepEqual(a.rows, b.rows);
  // Over many seeds, each pair is shown both ways and the ids never change.
  const labels = new Map<string, Set<number>>();
  for (let seed = 0; seed < 16; seed++) {
    const r = await readAll("hh_small.jsonl", { preset: "hh-rlhf", onError: "skip", seed });
    for (const row of r.rows) {
      if (!labels.has(row.pair_id)) labels.set(row.pair_id, new Set());
      labels.get(row.pair_id)!.add(row.label!);
      assert.equal(
        preferredOf(row).preferred,
        preferredOf(a.rows.find((x) => x.pair_id === row.pair_id)!).preferred,
      );
    }
  }
  assert.equal(labels.size, 4);
  for (const s of labels.values()) assert.deepEqual([...s].sort(), [-1, 1]);
});

import assert from "node:assert/strict";
import { firstHumanTurn, splitTranscripts } from "../../src/data/hh_transcript.ts";

const H = "\n\nHuman: ", A = "\n\nAssistant: ";

Deno.test("splitTranscripts() takes the prompt up to the last shared '\\n\\nAssistant:' of a single turn", () => {
  const s = splitTranscripts(`${H}hi${A}hello there`, `${H}hi${A}go away`);
  assert.deepEqual(s, {
    prompt: `${H}hi\n\nAssistant:`,
    chosen: "hello there",
    rejected: "go away",
  });
});

Deno.test("splitTranscripts() keeps earlier turns of a multi-turn transcript in the prompt", () => {
  const ctx = `${H}capital of France?${A}Paris.${H}and Italy?`;
  const s = splitTranscripts(`${ctx}${A}Rome.`, `${ctx}${A}Milan.`);
  assert.ok(typeof s !== "string");
  assert.equal(s.prompt, `${ctx}\n\nAssistant:`);
  assert.deepEqual([s.chosen, s.rejected], ["Rome.", "Milan."]);
});

Deno.test("splitTranscripts() splits at an earlier assistant turn when the transcripts differ before the last one", () => {
  const chosen = `${H}q1${A}a1${H}q2${A}good answer`;
  const rejected = `${H}q1${A}bad answer${H}q2${A}more`;
  const s = splitTranscripts(chosen, rejected);
  assert.ok(typeof s !== "string");
  assert.equal(s.prompt, `${H}q1\n\nAssistant:`);
  assert.equal(s.chosen, `a1${H}q2${A}good answer`);
  assert.equal(s.rejected, `bad answer${H}q2${A}more`);
});

Deno.test("splitTranscripts() does not cut inside an assistant marker shared only in part", () => {
  // The transcripts agree up to "\n\nAssis" of a later turn: that partial marker is not a split point.
  const s = splitTranscripts(`${H}q${A}x${H}y\n\nAssistant: z`, `${H}q${A}x${H}y\n\nAssisX`);
  assert.ok(typeof s !== "string");
  assert.equal(s.prompt, `${H}q\n\nAssistant:`);
});

Deno.test("splitTranscripts() gives identical responses for chosen == rejected", () => {
  const t = `${H}joke?${A}knock knock`;
  const s = splitTranscripts(t, t);
  assert.ok(typeof s !== "string");
  assert.equal(s.chosen, s.rejected);
  assert.equal(s.chosen, "knock knock");
});

Deno.test("splitTranscripts() explains transcripts that share no prompt or have no assistant turn", () => {
  assert.match(
    splitTranscripts(`${H}hi${A}a`, `${H}hey${A}b`) as string,
    /differ before their first/,
  );
  assert.match(splitTranscripts("just text", "other text") as string, /no "\\n\\nAssistant:" turn/);
});

Deno.test("firstHumanTurn() returns the first human turn, trimmed", () => {
  assert.equal(firstHumanTurn(`${H} How are you? ${A}fine${H}and you?`), "How are you?");
  assert.equal(firstHumanTurn("no markers"), "no markers");
});

// Marble tests (RxJS TestScheduler) for the stages whose timing matters, and for the runtime's
// backpressure primitives, driven frame by frame on a marble timeline.
import assert from "node:assert/strict";
import { map, Observable, of, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import type { Batch, StageModule } from "../../src/contracts/types.ts";
import { pairBatch, pairRows } from "../../src/data/schema.ts";
import { Channel, Gate } from "../../src/pipeline/flow.ts";
import * as filter from "../../src/stages/filter.ts";
import * as head from "../../src/stages/head.ts";
import { modelContext } from "../model/_context.ts";

/** A batch of `n` pairs whose ids are `<tag>0`, `<tag>1`, ... */
function batch(tag: string, n: number): Batch {
  return pairBatch(Array.from({ length: n }, (_, i) => ({
    pair_id: `${tag}${i}`,
    group_id: "g",
    prompt: "q",
    response_a: "a".repeat(i + 1),
    response_b: "b",
    label: null,
    split: "" as const,
    gold: null,
    source: "t",
  })));
}

const ids = (b: Batch) => pairRows(b).map((r) => r.pair_id).join(",");
const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
// deno-lint-ignore no-explicit-any
const op = (m: StageModule, cfg: any) => m.operator(cfg, modelContext("/tmp/unused"));

Deno.test("head: takes the first N rows, cuts the batch that crosses N, then unsubscribes upstream", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("-a-b-c-d|", {
      a: batch("a", 2),
      b: batch("b", 2),
      c: batch("c", 3),
      d: batch("d", 1),
    });
    const out = src.pipe(op(head, { rows: 5 }), map(ids));
    expectObservable(out).toBe("-a-b-(c|)", { a: "a0,a1", b: "b0,b1", c: "c0" });
    expectSubscriptions(src.subscriptions).toBe("^----!");
  });
});

Deno.test("head: rows 0 completes at once without subscribing; fewer rows than N pass through", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("-a|", { a: batch("a", 2) });
    expectObservable(src.pipe(op(head, { rows: 0 }))).toBe("|");
    expectSubscriptions(src.subscriptions).toBe([]);
    const all = cold("-a|", { a: batch("a", 2) });
    expectObservable(all.pipe(op(head, { rows: 9 }), map(ids))).toBe("-a|", { a: "a0,a1" });
    expectSubscriptions(all.subscriptions).toBe("^-!");
  });
});

Deno.test("head: a synchronous source (of(...)) stops after N rows", () => {
  let pulled = 0;
  const src = new Observable<Batch>((sub) => {
    for (const b of [batch("a", 2), batch("b", 2), batch("c", 2)]) {
      if (sub.closed) return;
      pulled++;
      sub.next(b);
    }
    sub.complete();
  });
  const out: Batch[] = [];
  src.pipe(op(head, { rows: 3 })).subscribe((b) => out.push(b));
  assert.deepEqual(out.map(ids), ["a0,a1", "b0"]);
  assert.equal(pulled, 2, "the source saw the unsubscribe before its third batch");
  const again: string[] = [];
  of(batch("x", 1), batch("y", 1)).pipe(op(head, { rows: 1 }), map(ids), toArray())
    .subscribe((v) => again.push(...v));
  assert.deepEqual(again, ["x0"]);
});

Deno.test("filter: keeps matching rows batch by batch, in time with its input, errors travel down", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const src = cold("-a--b-|", { a: batch("a", 3), b: batch("b", 2) });
    const out = src.pipe(op(filter, { where: "response_a.length >= 2" }), map(ids));
    expectObservable(out).toBe("-a--b-|", { a: "a1,a2", b: "b1" });
    const bad = src.pipe(op(filter, { where: "nope.length > 0" }));
    expectObservable(bad).toBe(
      "-#",
      undefined,
      new Error("Cannot evaluate 'where' on row 0: nope is not defined"),
    );
  });
});

/**
 * Drives a producer that awaits `room()` before each push into a channel of `capacity`, and a
 * consumer that takes one item at each `x` of `consumer`; returns the frames of the pushes as
 * a marble (`-` for frames without one).
 */
async function channelTimeline(capacity: number, items: string, consumer: string) {
  const ch = new Channel<string>(capacity);
  const pushes: string[][] = Array.from({ length: consumer.length }, () => []);
  let frame = 0;
  const produce = (async () => {
    for (const item of items) {
      await ch.room();
      ch.push(item);
      pushes[frame].push(item);
    }
  })();
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const taken: string[] = [];
  for (frame = 0; frame < consumer.length; frame++) {
    await settle();
    if (consumer[frame] === "x") taken.push((await ch.take())!);
    await settle();
  }
  await produce;
  const marble = pushes.map((p) => p.length === 0 ? "-" : p.length === 1 ? p[0] : `(${p.join("")})`)
    .join("");
  return { marble, taken: taken.join(""), highWater: ch.highWater };
}

Deno.test("channel: a producer fills the channel to capacity, then pushes one item per take", async () => {
  const r = await channelTimeline(2, "abcdef", "--x--x-xx");
  // parseMarbles gives the frame of each push; compare the timelines as marbles do.
  const frames = (m: string) => TestScheduler.parseMarbles(m, undefined, undefined, true, true);
  assert.deepEqual(frames(r.marble), frames("(ab)-c--d-ef"));
  assert.equal(r.taken, "abcd");
  assert.equal(r.highWater, 2, "never more than capacity items wait");
});

Deno.test("gate: idle() resolves only when every unit of work has left", async () => {
  const gate = new Gate();
  const events: string[] = [];
  const settle = () => new Promise((r) => setTimeout(r, 0));
  // Timeline: e = enter, l = leave, i = a waiter calls idle() (resolution logged as 'I').
  for (const step of "eeilli") {
    if (step === "e") gate.enter();
    if (step === "l") gate.leave();
    if (step === "i") gate.idle().then(() => events.push("I"));
    events.push(step);
    await settle();
  }
  assert.equal(events.join(""), "eeillIiI");
});

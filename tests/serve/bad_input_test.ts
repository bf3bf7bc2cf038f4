import assert from "node:assert/strict";
import { post, trainInto, withRunDir, withServer } from "./_server.ts";

const LIMITS = { maxBodyBytes: 4000, maxItems: 5, maxTextChars: 300, maxQueuedItems: 1000 };

Deno.test("bad requests get a 4xx JSON error naming the field, and the server keeps serving", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    await withServer(dir, { limits: LIMITS }, async (s) => {
      const item = { prompt: "hi", response: "hello" };
      const cases: [string, unknown, number, string, string | null][] = [
        ["/v1/rewards", "{not json", 400, "invalid_json", "body"],
        ["/v1/rewards", "", 400, "invalid_json", "body"],
        ["/v1/rewards", [1, 2], 400, "invalid_type", "body"],
        ["/v1/rewards", {}, 400, "missing_field", "items"],
        ["/v1/rewards", { items: "x" }, 400, "invalid_type", "items"],
        ["/v1/rewards", { items: [] }, 400, "empty_list", "items"],
        ["/v1/rewards", { items: Array(6).fill(item) }, 413, "too_many_items", "items"],
        ["/v1/rewards", { items: [item, 3] }, 400, "invalid_type", "items[1]"],
        [
          "/v1/rewards",
          { items: [item, { prompt: "a" }] },
          400,
          "missing_field",
          "items[1].response",
        ],
        [
          "/v1/rewards",
          { items: [{ prompt: 1, response: "a" }] },
          400,
          "invalid_type",
          "items[0].prompt",
        ],
        [
          "/v1/rewards",
          { items: [{ prompt: "a", response: "x".repeat(301) }] },
          413,
          "text_too_long",
          "items[0].response",
        ],
        [
          "/v1/rewards",
          { items: [{ prompt: "a", response: "x".repeat(5000) }] },
          413,
          "body_too_large",
          "body",
        ],
        [
          "/v1/compare",
          { pairs: [{ prompt: "a", response_a: "b" }] },
          400,
          "missing_field",
          "pairs[0].response_b",
        ],
        ["/get_reward", { query: ["a", 2] }, 400, "invalid_type", "query[1]"],
        ["/get_reward", { query: ["ab"], prompts: ["a", "b"] }, 400, "invalid_type", "prompts"],
        ["/get_reward", { query: ["ab"], labels: "x" }, 400, "invalid_type", "labels"],
        [
          "/get_reward",
          { query: ["ab", "cd"], prompts: ["a", "x"] },
          422,
          "prompt_mismatch",
          "query[1]",
        ],
        ["/nowhere", {}, 404, "not_found", "path"],
      ];
      for (const [path, body, status, kind, field] of cases) {
        const r = await post(`${s.url}${path}`, body);
        const err = r.json.error as { kind: string; field: string; message: string };
        assert.deepEqual(
          [r.status, err.kind, err.field],
          [status, kind, field],
          `${path} ${JSON.stringify(body).slice(0, 60)}`,
        );
        assert.match(err.message, /^Cannot /);
      }
      const get = await fetch(`${s.url}/v1/rewards`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
      await get.body?.cancel();
      // A body that lies about its size is cut off as it streams in.
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1000)));
          c.close();
        },
      });
      const big = await fetch(`${s.url}/v1/rewards`, { method: "POST", body: stream });
      assert.equal(big.status, 413);
      await big.body?.cancel();
      const ok = await post(`${s.url}/v1/rewards`, { items: [item] });
      assert.equal(ok.status, 200);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /serflow_serve_errors_total\{kind="invalid_json"\} 2/);
      assert.match(metrics, /serflow_serve_errors_total\{kind="body_too_large"\} 2/);
    });
  }));

Deno.test("--normalize returns (reward - mean) / std with the checkpoint's training statistics", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    const items = [{ prompt: "hi", response: "great answer" }, { prompt: "hi", response: "meh" }];
    let raw: number[] = [], stats = { mean: 0, std: 1 };
    await withServer(dir, {}, async (s) => {
      raw = (await post(`${s.url}/v1/rewards`, { items })).json.rewards as number[];
      stats = s.model().rewardStats!;
    });
    assert.ok(stats.std > 0);
    await withServer(dir, { normalize: true }, async (s) => {
      const r = await post(`${s.url}/get_reward`, {
        query: items.map((i) => `${i.prompt}${i.response}`),
        prompts: ["hi", "hi"],
      });
      (r.json.rewards as number[]).forEach((x, i) =>
        assert.ok(Math.abs(x - Math.fround((raw[i] - stats.mean) / stats.std)) < 1e-6)
      );
    });
  }));

Deno.test("an overloaded server answers 503 with Retry-After, then serves again", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    const limits = { ...LIMITS, maxQueuedItems: 3 };
    await withServer(dir, { limits, maxWaitMs: 300, maxBatch: 100 }, async (s) => {
      const two = { items: [{ prompt: "a", response: "b" }, { prompt: "c", response: "d" }] };
      const waiting = post(`${s.url}/v1/rewards`, two); // queued for 300 ms
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${s.url}/v1/rewards`, { method: "POST", body: JSON.stringify(two) });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "1");
      assert.equal((await res.json()).error.kind, "overloaded");
      assert.equal((await waiting).status, 200);
      assert.equal((await post(`${s.url}/v1/rewards`, two)).status, 200);
    });
  }));

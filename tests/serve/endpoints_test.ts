import assert from "node:assert/strict";
import * as score from "../../src/stages/score.ts";
import { pairRows } from "../../src/data/schema.ts";
import { sigmoid } from "../../src/model/math.ts";
import { modelContext, runStage } from "../model/_context.ts";
import { post, toyBatches, trainInto, withRunDir, withServer } from "./_server.ts";

Deno.test("every endpoint answers, and rewards equal the score stage's for the same texts", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    const [scored] = await runStage(
      score,
      {},
      modelContext(dir, { stageId: "score" }),
      toyBatches(),
    );
    const rows = pairRows(scored).slice(0, 30);
    const ra = scored.getChild("reward_a")!.toArray() as Float32Array;
    const rb = scored.getChild("reward_b")!.toArray() as Float32Array;
    await withServer(dir, {}, async (s) => {
      const health = await (await fetch(`${s.url}/healthz`)).json();
      assert.equal(health.status, "ok");
      const model = await (await fetch(`${s.url}/v1/model`)).json();
      assert.equal(model.id, health.model);
      assert.ok(model.id.endsWith(`/train@${model.createdAt}`), model.id);
      assert.equal(model.iteration, 0);
      assert.equal(model.serving.maxBatch, 1024);
      assert.equal(typeof model.rewardStats.std, "number");

      const items = rows.map((r) => ({ prompt: r.prompt, response: r.response_a }));
      const rewards = await post(`${s.url}/v1/rewards`, { items });
      assert.equal(rewards.status, 200);
      assert.equal(rewards.json.model, model.id);
      assert.deepEqual(rewards.json.rewards, rows.map((_, i) => ra[i]));

      const pairs = rows.map((r) => ({
        prompt: r.prompt,
        response_a: r.response_a,
        response_b: r.response_b,
      }));
      const cmp = await post(`${s.url}/v1/compare`, { pairs });
      assert.equal(cmp.status, 200);
      assert.deepEqual(cmp.json.rewards_a, rows.map((_, i) => ra[i]));
      assert.deepEqual(cmp.json.rewards_b, rows.map((_, i) => rb[i]));
      (cmp.json.probabilities as number[]).forEach((p, i) =>
        assert.ok(Math.abs(p - sigmoid(ra[i] - rb[i])) < 1e-12)
      );

      // OpenRLHF: full texts with their prompts.
      const query = rows.map((r) => `${r.prompt} ${r.response_b}</s>`);
      const gr = await post(`${s.url}/get_reward`, {
        query,
        prompts: rows.map((r) => r.prompt),
        labels: rows.map(() => null),
      });
      assert.equal(gr.status, 200);
      assert.deepEqual(gr.json.rewards, rows.map((_, i) => rb[i]));
      assert.deepEqual(gr.json.scores, gr.json.rewards);
      // Left padding in front of both, as a trainer decoding a padded batch sends it.
      const padded = await post(`${s.url}/get_reward`, {
        query: query.map((q) => `<pad><pad>${q}<pad>`),
        prompts: rows.map((r) => `<pad><pad>${r.prompt}`),
      });
      assert.deepEqual(padded.json.rewards, gr.json.rewards);

      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(
        metrics,
        /serflow_serve_requests_total\{endpoint="\/v1\/rewards",status="200"\} 1/,
      );
      assert.match(metrics, /serflow_serve_items_total\{endpoint="\/v1\/compare"\} 60/);
      assert.match(
        metrics,
        /serflow_serve_request_duration_seconds_count\{endpoint="\/get_reward"\} 2/,
      );
      assert.match(metrics, /serflow_serve_batch_items_count 4/);
      assert.ok(metrics.includes(`serflow_serve_model_info{model="${model.id}"} 1`));
    });
  }));

Deno.test("/get_reward splits HH and chat-template transcripts at the last assistant turn", () =>
  withRunDir(async (dir) => {
    await trainInto(dir);
    await withServer(dir, {}, async (s) => {
      const ref = await post(`${s.url}/v1/rewards`, {
        items: [
          {
            prompt: "\n\nHuman: hi\n\nAssistant: yo\n\nHuman: thanks\n\nAssistant:",
            response: "sure thing",
          },
          {
            prompt: "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            response: "hello there",
          },
          {
            prompt: "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>" +
              "<|start_header_id|>assistant<|end_header_id|>\n\n",
            response: "good day",
          },
        ],
      });
      const gr = await post(`${s.url}/get_reward`, {
        query: [
          "\n\nHuman: hi\n\nAssistant: yo\n\nHuman: thanks\n\nAssistant: sure thing",
          "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello there<|im_end|>\n",
          "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>" +
          "<|start_header_id|>assistant<|end_header_id|>\n\ngood day<|eot_id|>",
        ],
      });
      assert.equal(gr.status, 200, JSON.stringify(gr.json));
      assert.deepEqual(gr.json.rewards, ref.json.rewards);
      const bad = await post(`${s.url}/get_reward`, {
        query: ["hh\n\nAssistant: x", "no turn here"],
      });
      assert.equal(bad.status, 422);
      assert.deepEqual(
        {
          kind: (bad.json.error as { kind: string }).kind,
          field: (bad.json.error as { field: string }).field,
        },
        { kind: "no_assistant_turn", field: "query[1]" },
      );
    });
    await withServer(dir, { split: "marker:### Response:" }, async (s) => {
      const a = await post(`${s.url}/get_reward`, {
        query: ["Q: hi\n\nAssistant: x ### Response: ok"],
      });
      const b = await post(`${s.url}/v1/rewards`, {
        items: [{ prompt: "Q: hi\n\nAssistant: x ### Response:", response: "ok" }],
      });
      assert.deepEqual(a.json.rewards, b.json.rewards);
    });
  }));

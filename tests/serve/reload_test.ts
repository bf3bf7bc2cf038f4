import assert from "node:assert/strict";
import { pairRows } from "../../src/data/schema.ts";
import { memoryLog, post, toyBatches, trainInto, withRunDir, withServer } from "./_server.ts";

Deno.test("--follow switches to a new checkpoint mid-traffic: no request fails, none mixes models", () =>
  withRunDir(async (dir) => {
    await trainInto(dir, "train", 1);
    const items = pairRows(toyBatches()[0]).slice(0, 12).map((r) => ({
      prompt: r.prompt,
      response: r.response_a,
    }));
    const { log, lines } = memoryLog();
    await withServer(dir, { follow: true, pollMs: 0, maxWaitMs: 1, log }, async (s) => {
      const first = await post(`${s.url}/v1/rewards`, { items });
      const answers: { client: number; status: number; model: string; rewards: number[] }[] = [];
      let switched = false, after = 0;
      const deadline = Date.now() + 20_000;
      const client = async (c: number) => {
        for (let k = 0; k < 400 && Date.now() < deadline && after < 40; k++) {
          const r = await post(`${s.url}/v1/rewards`, { items: items.slice(c, c + 4) });
          answers.push({
            client: c,
            status: r.status,
            model: String(r.json.model),
            rewards: r.json.rewards as number[],
          });
          if (switched) after++;
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      while (answers.length < 12) await new Promise((r) => setTimeout(r, 2));
      await trainInto(dir, "evolve", 2); // a newer checkpoint: what a SER loop keeps
      await s.rescan();
      switched = true;
      await Promise.all(clients);

      const second = await post(`${s.url}/v1/rewards`, { items });
      assert.notEqual(second.json.model, first.json.model);
      assert.ok(String(second.json.model).includes("/evolve@"));
      const model = await (await fetch(`${s.url}/v1/model`)).json();
      assert.equal(model.id, second.json.model);
      const want: Record<string, number[]> = {
        [String(first.json.model)]: first.json.rewards as number[],
        [String(second.json.model)]: second.json.rewards as number[],
      };
      assert.ok(answers.every((a) => a.status === 200), "no request failed");
      for (const a of answers) {
        assert.ok(a.model in want, `unknown model ${a.model}`);
        assert.deepEqual(
          a.rewards,
          want[a.model].slice(a.client, a.client + 4),
          "one model per answer",
        );
      }
      for (const c of [0, 1, 2, 3]) {
        const seq = answers.filter((a) => a.client === c).map((a) => a.model);
        const firstNew = seq.indexOf(String(second.json.model));
        assert.ok(firstNew > 0, `client ${c} saw both models`);
        assert.ok(seq.slice(firstNew).every((m) => m === second.json.model), "never switches back");
      }
      assert.ok(lines.some((l) => l.msg === "switched model"));
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /serflow_serve_model_reloads_total 1/);
    });
  }));

Deno.test("--follow keeps serving the current model when a new checkpoint is damaged", () =>
  withRunDir(async (dir) => {
    await trainInto(dir, "train", 1);
    const { log, lines } = memoryLog();
    await withServer(dir, { follow: true, pollMs: 0, log }, async (s) => {
      const before = s.model().id;
      // A header that parses, with sections missing: newest by createdAt, but unloadable.
      const header = JSON.stringify({
        format: "serflow-checkpoint",
        version: 1,
        model: {},
        featurizer: null,
        optimizerStep: null,
        metadata: {
          createdAt: "2999-01-01T00:00:00.000Z",
          iteration: 9,
          dataHash: "",
          metrics: {},
        },
        sections: [],
      });
      const bytes = new Uint8Array(16 + header.length);
      bytes.set(new TextEncoder().encode("SFCKPT01"));
      new DataView(bytes.buffer).setUint32(8, header.length, true);
      bytes.set(new TextEncoder().encode(header), 12);
      await Deno.writeFile(`${dir}/checkpoints/broken.ckpt`, bytes);
      await s.rescan();
      assert.equal(s.model().id, before);
      assert.ok(
        lines.some((l) =>
          l.level === "warn" && String(l.fields?.checkpoint).endsWith("broken.ckpt")
        ),
      );
      const r = await post(`${s.url}/v1/rewards`, { items: [{ prompt: "a", response: "b" }] });
      assert.equal(r.status, 200);
    });
  }));

Deno.test("--follow on a checkpoint file reloads it when it is rewritten", () =>
  withRunDir(async (dir) => {
    const path = await trainInto(dir, "train", 1);
    await withServer(path, { follow: true, pollMs: 0 }, async (s) => {
      const before = s.model().id;
      await trainInto(dir, "train", 2); // the same file, a newer model
      await s.rescan();
      assert.notEqual(s.model().id, before);
      const r = await post(`${s.url}/v1/rewards`, { items: [{ prompt: "a", response: "b" }] });
      assert.equal(r.json.model, s.model().id);
    });
  }));

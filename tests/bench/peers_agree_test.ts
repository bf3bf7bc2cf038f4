/**
 * The peers compute the same model: on the same peer data, serflow's CPU reference, the TF.js
 * wasm peer and PyTorch with the contract's lazy AdamW give the same losses, epoch by epoch.
 */
import assert from "node:assert/strict";
import { writePeerData } from "../../bench/lib/peer_data.ts";
import { buildPeerData } from "../../bench/lib/peer_setup.ts";
import { parsePeerOutput, type PeerResult } from "../../bench/lib/peer_result.ts";
import { worldData } from "../../bench/lib/world_data.ts";
import { runSerflowPeer } from "../../bench/peers/serflow_rm.ts";
import { runTfjsPeer } from "../../bench/peers/tfjs_rm.ts";
import { DEFAULT_FEATURIZER } from "../../src/model/featurizer.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../../src/model/types.ts";

async function withPeerData(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-peers-test-" });
  try {
    const w = worldData(120, 3, { ...DEFAULT_FEATURIZER, buckets: 1024 });
    const data = buildPeerData(w.features, {
      model: { ...DEFAULT_MODEL, buckets: 1024, dim: 8, hidden: 16 },
      train: { ...DEFAULT_TRAIN, batchSize: 32, lr: 0.01, weightDecay: 0.01 },
      epochs: 3,
      labels: w.labels,
      isTest: Uint8Array.from(w.splits, (s) => (s === "test" ? 1 : 0)),
      seed: 5,
      source: "test",
    });
    await writePeerData(dir, data);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Same losses to 1e-4 in every epoch; same rewards to 2%: the table's Adam steps divide by
 * `sqrt(v) + eps` with gradients near eps, which magnifies float32 rounding of the order of sums.
 */
function assertSameModel(a: PeerResult, b: PeerResult): void {
  assert.equal(a.epoch_loss.length, 3);
  a.epoch_loss.forEach((l, e) => {
    assert.ok(
      Math.abs(l - b.epoch_loss[e]) < 1e-4 * Math.max(1, l),
      `epoch ${e}: ${l} vs ${b.epoch_loss[e]}`,
    );
  });
  a.first_scores.forEach((s, i) => {
    assert.ok(
      Math.abs(s - b.first_scores[i]) < 2e-2 * Math.max(1, Math.abs(s)),
      `score ${i}: ${s} vs ${b.first_scores[i]}`,
    );
  });
  assert.equal(a.test_accuracy, b.test_accuracy);
}

Deno.test("TF.js wasm peer trains exactly the serflow CPU reference's model", async () => {
  await withPeerData(async (dir) => {
    const ref = await runSerflowPeer(["--data", dir, "--backend", "cpu"]);
    const tfjs = await runTfjsPeer(["--data", dir, "--backend", "wasm"]);
    assert.ok(ref.epoch_loss[2] < ref.epoch_loss[0], "the loss falls");
    assertSameModel(tfjs, ref);
  });
});

Deno.test("PyTorch peer with the contract's AdamW trains the same model (skipped without torch)", async () => {
  const probe = await new Deno.Command("python3", {
    args: ["-c", "import torch, numpy"],
    stderr: "null",
  })
    .output().catch(() => null);
  if (!probe?.success) {
    console.warn(
      "skipped: python3 with torch and numpy is not available (pip install torch numpy)",
    );
    return;
  }
  await withPeerData(async (dir) => {
    const ref = await runSerflowPeer(["--data", dir, "--backend", "cpu"]);
    const script = new URL("../../bench/peers/torch_rm.py", import.meta.url).pathname;
    const run = async (opt: string) => {
      const out = await new Deno.Command("python3", {
        args: [script, "--data", dir, "--threads", "1", "--table-optimizer", opt],
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return parsePeerOutput(new TextDecoder().decode(out.stdout));
    };
    assertSameModel(await run("exact"), ref);
    // SparseAdam adds eps before the bias correction: a different (smaller) first step.
    const sparse = await run("sparse_adam");
    assert.notEqual(sparse.epoch_loss[1].toFixed(6), ref.epoch_loss[1].toFixed(6));
  });
});

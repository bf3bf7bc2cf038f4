/**
 * The TensorFlow.js peer: trains and scores the serflow reward model on a peer-data folder with
 * TF.js's wasm or webgpu backend and prints one JSON line (`PeerResult`).
 *
 * Usage: `deno run -A bench/peers/tfjs_rm.ts --data DIR --backend wasm|webgpu`
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { pairAccuracy, readPeerData } from "../lib/peer_data.ts";
import { peakRssBytes } from "../lib/machine.ts";
import type { PeerResult } from "../lib/peer_result.ts";
import { TfjsRewardModel } from "./tfjs_model.ts";

/**
 * Runs the peer.
 *
 * @param args Command-line arguments.
 * @returns The result (also printed as JSON).
 * @example
 * ```ts ignore
 * const r = await runTfjsPeer(["--data", "/tmp/peer", "--backend", "wasm"]);
 * ```
 */
export async function runTfjsPeer(args: string[]): Promise<PeerResult> {
  const { values } = parseArgs({
    args,
    options: { data: { type: "string" }, backend: { type: "string", default: "wasm" } },
  });
  const backend = values.backend!;
  if (!values.data) throw new TypeError("Cannot run the TF.js peer without --data DIR");
  if (backend !== "wasm" && backend !== "webgpu") {
    throw new RangeError(`Cannot run the TF.js peer on '${backend}': use --backend wasm or webgpu`);
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`Cannot initialise the TF.js ${backend} backend: see the warnings above`);
  }
  await tf.ready();
  const data = await readPeerData(values.data);
  const { meta } = data;
  let t0 = performance.now();
  const model = new TfjsRewardModel(data);
  await tf.zeros([1]).data(); // waits for the uploads
  const setup = (performance.now() - t0) / 1e3;

  const epochS: number[] = [], epochLoss: number[] = [], epochAcc: number[] = [];
  const nTrain = meta.nTrain, bs = meta.train.batchSize;
  for (let e = 0; e < meta.epochs; e++) {
    t0 = performance.now();
    const order = data.orders.subarray(e * nTrain, (e + 1) * nTrain);
    let loss: tf.Tensor = tf.scalar(0), correct: tf.Tensor = tf.scalar(0);
    for (let s = 0; s < nTrain; s += bs) {
      const pos = order.subarray(s, s + bs);
      const idx = new Uint32Array(pos.length);
      const y = new Float32Array(pos.length), w = new Float32Array(pos.length);
      pos.forEach((p, j) => {
        idx[j] = data.train.indices[p];
        y[j] = data.train.labels[p];
        w[j] = data.train.weights[p];
      });
      const [l, c] = model.trainStep(idx, y, w, meta.train);
      const [l2, c2] = [tf.add(loss, l), tf.add(correct, c)];
      tf.dispose([loss, correct, l, c]);
      [loss, correct] = [l2, c2];
    }
    const [ls, cs] = [(await loss.data())[0], (await correct.data())[0]];
    tf.dispose([loss, correct]);
    epochS.push((performance.now() - t0) / 1e3);
    epochLoss.push(ls / nTrain);
    epochAcc.push(cs / nTrain);
  }

  t0 = performance.now();
  const all = new Uint32Array(meta.n).map((_, i) => i);
  const r = await model.score(all);
  const score = (performance.now() - t0) / 1e3;
  const ti = data.test.indices;
  const acc = pairAccuracy(pick(r.a, ti), pick(r.b, ti), data.test.labels);
  model.dispose();
  return {
    peer: "tfjs",
    backend,
    device: backend === "webgpu" ? await adapterName() : "wasm simd, 1 thread",
    version: tf.version_core,
    setup_s: setup,
    epoch_s: epochS,
    train_s: epochS.reduce((a, b) => a + b, 0),
    epoch_loss: epochLoss,
    epoch_accuracy: epochAcc,
    score_s: score,
    scored_pairs: meta.n,
    test_accuracy: acc,
    first_scores: Array.from(r.a.subarray(0, 4)),
    peak_rss_bytes: peakRssBytes(),
  };
}

function pick(x: Float32Array, idx: Uint32Array): Float32Array {
  const out = new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]];
  return out;
}

async function adapterName(): Promise<string> {
  const a = await navigator.gpu?.requestAdapter();
  return a?.info.description || "webgpu";
}

if (import.meta.main) {
  console.log(JSON.stringify(await runTfjsPeer(Deno.args)));
}

/** `deno task bench --quick` end to end, shrunk further: it writes a result file with every section it ran. */
import assert from "node:assert/strict";

Deno.test("bench --quick runs e2e and peers and writes a dated result file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serflow-bench-quick-" });
  try {
    const main = new URL("../../bench/main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "--quick",
        "--only",
        "e2e,peers",
        "--out-dir",
        dir,
        "--e2e-sizes",
        "400",
        "--e2e-retrain",
        "scratch,incremental",
        "--peers",
        "serflow-cpu",
        "--peer-pairs",
        "150",
      ],
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0], /^\d{4}-\d{2}-\d{2}-.+-quick\.json$/);
    const r = JSON.parse(await Deno.readTextFile(`${dir}/${files[0]}`));
    assert.equal(r.quick, true);
    assert.equal(r.machine.cores, navigator.hardwareConcurrency);
    const e2e = r.sections.e2e.results[0];
    assert.equal(e2e.pairs, 400);
    assert.equal(e2e.backend, "cpu");
    assert.ok(e2e.iterations.length >= 1 && e2e.iterations[0].train_s > 0);
    assert.ok(e2e.finalTestAccuracy >= 0 && e2e.finalTestAccuracy <= 1);
    // The retrain modes alternate within a size: scratch, then incremental on the same data.
    const modes = r.sections.e2e.results.map((x: { retrain: string }) => x.retrain);
    assert.deepEqual(modes, ["scratch", "incremental"]);
    const peer = r.sections.peers.summary["serflow-cpu"];
    assert.equal(peer.runs, 1);
    assert.ok(peer.train_s > 0 && peer.score_s > 0);
    assert.equal(r.sections.peers.data.nTrain + r.sections.peers.data.nTest, 150);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

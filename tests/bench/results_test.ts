import assert from "node:assert/strict";
import {
  addRunRow,
  type BenchResults,
  resultPath,
  runRow,
  writeResults,
} from "../../bench/lib/results.ts";

const results = (): BenchResults => ({
  version: 1,
  date: "2025-03-04T05:06:07.000Z",
  command: "deno task bench --quick",
  quick: true,
  machine: {
    os: "linux",
    arch: "x86_64",
    cpu: "Test CPU",
    cores: 2,
    memoryGiB: 24,
    loadAverage: [1.5, 1, 1],
    deno: "2",
    v8: "1",
    adapter: {
      vendor: "",
      architecture: "",
      device: "0",
      description: "llvmpipe (LLVM 15.0.6, 256 bits)",
      software: true,
      maxStorageBufferBindingSize: 1,
      maxBufferSize: 1,
    },
  },
  loadAverageEnd: [2.25, 1, 1],
  seconds: 1,
  sections: { peers: { rounds: 1 } },
});

Deno.test("resultPath() names the file by date, machine and quick mode", () => {
  assert.equal(
    resultPath("out", "2025-03-04T05:06:07Z", "llvmpipe-2c", false),
    "out/2025-03-04-llvmpipe-2c.json",
  );
  assert.equal(
    resultPath("out", "2025-03-04T05:06:07Z", "llvmpipe-2c", true),
    "out/2025-03-04-llvmpipe-2c-quick.json",
  );
});

Deno.test("writeResults() creates the folder and writes JSON that reads back equal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/r.json`;
    await writeResults(path, results());
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), results());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runRow() names machine, software adapter, load and command", () => {
  const row = runRow(results(), "bench/results/x.json");
  assert.equal(
    row,
    "| 2025-03-04 | Test CPU, 2 cores, 24 GiB | llvmpipe (LLVM 15.0.6, 256 bits) (software) | 1.5 → 2.25 | " +
      "`deno task bench --quick` | [x.json](bench/results/x.json) |",
  );
});

Deno.test("runRow() names the commit the run measured", () => {
  const row = runRow({ ...results(), gitCommit: "abc1234+dirty" }, "x.json");
  assert.ok(row.includes("`deno task bench --quick` at abc1234+dirty |"), row);
});

Deno.test("addRunRow() appends rows inside the markers and keeps the text around them", () => {
  const md = "# B\n\nintro\n\n<!-- bench:runs:start -->\n<!-- bench:runs:end -->\n\nafter\n";
  const once = addRunRow(md, "| r1 |");
  const twice = addRunRow(once, "| r2 |");
  assert.ok(twice.startsWith("# B\n\nintro\n\n<!-- bench:runs:start -->\n| date |"));
  assert.ok(twice.includes("| r1 |\n| r2 |\n<!-- bench:runs:end -->\n\nafter\n"));
  assert.equal(twice.match(/\| date \|/g)?.length, 1);
});

Deno.test("addRunRow() keeps the rows of a table that deno fmt has aligned", () => {
  const md =
    "<!-- bench:runs:start -->\n\n| date | x |\n| ---- | - |\n| r1   | a |\n\n<!-- bench:runs:end -->\n";
  const out = addRunRow(md, "| r2 | b |");
  assert.ok(out.includes("| r1   | a |\n| r2 | b |\n<!-- bench:runs:end -->"), out);
});

Deno.test("addRunRow() adds a runs section when the markers are missing", () => {
  const md = addRunRow("# B\n", "| r |");
  assert.match(
    md,
    /## Runs\n\n<!-- bench:runs:start -->\n\| date .*\n\|---.*\n\| r \|\n<!-- bench:runs:end -->\n$/,
  );
});

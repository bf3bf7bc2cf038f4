/**
 * Whether the Python trainer stack (trl, datasets, transformers, torch, tokenizers) is importable
 * by `python3`. Without it the tests that run real trainers are skipped with a printed reason,
 * unless `REQUIRE_PYTHON_PEERS=1` (as CI sets), where a missing stack fails the suite.
 *
 * @module
 */

/** The Python modules the trainer tests import. */
export const PYTHON_PEERS = ["trl", "datasets", "transformers", "torch", "tokenizers"];

async function _probe(): Promise<string | null> {
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", `import ${PYTHON_PEERS.join(", ")}`],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (out.success) return null;
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
    return `python3 cannot import ${PYTHON_PEERS.join(", ")} (${err})`;
  } catch (e) {
    return `no python3 on PATH (${(e as Error).message})`;
  }
}

function _required(): boolean {
  try {
    return Deno.env.get("REQUIRE_PYTHON_PEERS") === "1";
  } catch {
    return false;
  }
}

/** Why the Python trainer stack is unusable, or null when it is there. */
export const MISSING_PYTHON: string | null = await _probe();

if (MISSING_PYTHON) {
  if (_required()) {
    Deno.test("the Python trainer stack is available (REQUIRE_PYTHON_PEERS=1)", () => {
      throw new Error(
        `REQUIRE_PYTHON_PEERS=1 but ${MISSING_PYTHON}: install them with pip (see .ci/run)`,
      );
    });
  } else {
    console.warn(
      `%cTrainer tests skipped: ${MISSING_PYTHON} (set REQUIRE_PYTHON_PEERS=1 to make this an error)`,
      "color: yellow",
    );
  }
}

/** Assertions for tests: node's strict assert, re-exported under std-like names. */
import assert from "node:assert/strict";

export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void = (a, e, m) =>
  assert.deepStrictEqual(a, e, m);
export const assert_ = assert;
export async function assertRejects(
  fn: () => Promise<unknown>,
  match?: RegExp | string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (match) {
      const msg = (e as Error).message;
      if (typeof match === "string" ? !msg.includes(match) : !match.test(msg)) {
        throw new Error(`error message ${JSON.stringify(msg)} does not match ${match}`);
      }
    }
    return e as Error;
  }
  throw new Error("expected a rejection");
}

import assert from "node:assert/strict";
import { fitTemperature, TEMPERATURE_RANGE } from "../../src/ser/calibrate.ts";
import { Rng } from "../../src/contracts/rng.ts";

function nll(ra: Float32Array, rb: Float32Array, y: Int8Array, t: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.log1p(Math.exp(-y[i] * (ra[i] - rb[i]) / t));
  return s / y.length;
}

Deno.test("fitTemperature() recovers the temperature that generated the labels", () => {
  const rng = new Rng(3);
  const n = 20000, trueT = 2.5;
  const ra = new Float32Array(n), rb = new Float32Array(n), y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = 3 * rng.normal();
    rb[i] = 3 * rng.normal();
    y[i] = rng.next() < 1 / (1 + Math.exp(-(ra[i] - rb[i]) / trueT)) ? 1 : -1;
  }
  const t = fitTemperature(ra, rb, y);
  assert.ok(Math.abs(t - trueT) < 0.15, `T = ${t}`);
});

Deno.test("fitTemperature() returns the minimiser of the validation NLL", () => {
  const rng = new Rng(9);
  const n = 300;
  const ra = new Float32Array(n), rb = new Float32Array(n), y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = rng.normal();
    rb[i] = rng.normal();
    y[i] = rng.next() < 0.7 === (ra[i] > rb[i]) ? 1 : -1;
  }
  const t = fitTemperature(ra, rb, y);
  const best = nll(ra, rb, y, t);
  for (const f of [0.9, 0.99, 1.01, 1.1]) assert.ok(nll(ra, rb, y, t * f) >= best - 1e-12);
});

Deno.test("fitTemperature() hits the range bounds for separable and anti-correlated pairs", () => {
  const ra = new Float32Array([1, 2, 3]), rb = new Float32Array([0, 0, 0]);
  assert.equal(fitTemperature(ra, rb, new Int8Array([1, 1, 1])), TEMPERATURE_RANGE.min);
  assert.equal(fitTemperature(ra, rb, new Int8Array([-1, -1, -1])), TEMPERATURE_RANGE.max);
});

Deno.test("fitTemperature() returns 1 when no pair is usable and skips unlabelled ones", () => {
  assert.equal(fitTemperature([1, 1], [1, 1], [1, -1]), 1);
  assert.equal(fitTemperature([2, 5], [0, 0], [0, 0]), 1);
  const t1 = fitTemperature([2, 2, 2], [0, 0, 0], [1, -1, 1]);
  const t2 = fitTemperature([2, 2, 2, 9], [0, 0, 0, 0], [1, -1, 1, 0]);
  assert.equal(t1, t2);
  assert.throws(() => fitTemperature([1], [1, 2], [1]), /differ in length/);
});

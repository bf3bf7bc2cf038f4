/**
 * Copies featurized pairs into the fast path's shared memory: the CSR arrays of the bags as they
 * are, or the precomputed vectors with rows padded to `dp`. A later load reuses the space of an
 * earlier one when it fits.
 *
 * @module
 */
import type { PairFeatures } from "../types.ts";
import type { ChunkEnv } from "./chunk_forward.ts";
import type { Layout } from "./layout.ts";

type Key = keyof Layout["feat"];

/**
 * Loads `f` into the arena and points the layout's feature offsets at it.
 *
 * @param env The arena, layout and shape.
 * @param f Validated features.
 * @param caps Space held per array from earlier loads (updated).
 */
export function loadFeatures(
  env: ChunkEnv,
  f: PairFeatures,
  caps: Map<string, { at: number; cap: number }>,
): void {
  const { arena: a, layout: l, shape: s } = env;
  const place = (key: Key, len: number): number => {
    let c = caps.get(key);
    if (!c || c.cap < len) caps.set(key, c = { at: a.alloc(Math.max(len, 4)).at, cap: len });
    l.feat[key] = c.at;
    return c.at;
  };
  if (s.bag) {
    const cols: [Key, Uint32Array][] = [
      ["pOff", f.promptOffsets],
      ["pIds", f.promptIds],
      ["aOff", f.aOffsets],
      ["aIds", f.aIds],
      ["bOff", f.bOffsets],
      ["bIds", f.bIds],
    ];
    for (const [key, arr] of cols) place(key, arr.length);
    for (const [key, arr] of cols) a.u32.set(arr, l.feat[key]);
    return;
  }
  const d = s.dim, dp = s.dp;
  const vecs: [Key, Float32Array][] = [["pIds", f.promptEmb!], ["aIds", f.aEmb!], [
    "bIds",
    f.bEmb!,
  ]];
  for (const [key] of vecs) place(key, f.n * dp);
  for (const [key, arr] of vecs) {
    const at = l.feat[key];
    if (d === dp) a.f32.set(arr.subarray(0, f.n * d), at);
    else for (let i = 0; i < f.n; i++) a.f32.set(arr.subarray(i * d, (i + 1) * d), at + i * dp);
  }
}

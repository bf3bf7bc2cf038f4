/**
 * The peers this harness can run (serflow CPU/WebGPU, TF.js wasm/webgpu, PyTorch CPU/CUDA): how to
 * start each, and why one cannot run on this machine.
 *
 * @module
 */
import { describeAdapter } from "./machine.ts";
import { denoRun, runChild, tail } from "./subprocess.ts";

/** A peer implementation and how to start it. */
export interface PeerSpec {
  id: string;
  cmd: string;
  args: string[];
  /** What it needs: a WebGPU adapter, or Python with torch (and CUDA). */
  needs: "none" | "webgpu" | "torch" | "cuda";
}

/** Every peer this harness knows, by id. */
export const PEER_IDS = [
  "serflow-cpu",
  "serflow-webgpu",
  "tfjs-wasm",
  "tfjs-webgpu",
  "torch-cpu",
  "torch-cuda",
] as const;

/**
 * Peers run only when named in `--peers`: the fast CPU path on one thread, the TypeScript
 * reference, PyTorch on one thread and PyTorch with the contract's exact table optimizer.
 */
export const EXTRA_PEER_IDS = [
  "serflow-cpu-1t",
  "serflow-reference",
  "torch-cpu-1t",
  "torch-cpu-exact",
] as const;

const here = (p: string) => new URL(`../peers/${p}`, import.meta.url).pathname;

/**
 * How to start a peer on `dataDir`.
 *
 * @param id One of `PEER_IDS` (or `torch-cpu-exact`: the contract's lazy AdamW instead of SparseAdam).
 * @param dataDir The peer-data folder.
 * @param python The Python interpreter (default `$PYTHON` or `python3`).
 * @returns The spec.
 * @example
 * ```ts
 * import { peerSpec } from "./peer_specs.ts";
 * if (peerSpec("torch-cuda", "/d").args.at(-1) !== "cuda") throw new Error();
 * ```
 */
export function peerSpec(id: string, dataDir: string, python = defaultPython()): PeerSpec {
  const deno = (
    file: string,
    backend: string,
    needs: PeerSpec["needs"],
    extra: string[] = [],
  ): PeerSpec => {
    const [cmd, args] = denoRun(here(file), ["--data", dataDir, "--backend", backend, ...extra]);
    return { id, cmd, args, needs };
  };
  const torch = (extra: string[], needs: PeerSpec["needs"]): PeerSpec => ({
    id,
    cmd: python,
    args: [here("torch_rm.py"), "--data", dataDir, ...extra],
    needs,
  });
  switch (id) {
    case "serflow-cpu":
      return deno("serflow_rm.ts", "cpu", "none");
    case "serflow-cpu-1t":
      return deno("serflow_rm.ts", "cpu", "none", ["--threads", "1"]);
    case "serflow-reference":
      return deno("serflow_rm.ts", "reference", "none");
    case "serflow-webgpu":
      return deno("serflow_rm.ts", "webgpu", "webgpu");
    case "tfjs-wasm":
      return deno("tfjs_rm.ts", "wasm", "none");
    case "tfjs-webgpu":
      return deno("tfjs_rm.ts", "webgpu", "webgpu");
    case "torch-cpu":
      return torch(["--device", "cpu"], "torch");
    case "torch-cpu-1t":
      return torch(["--device", "cpu", "--threads", "1"], "torch");
    case "torch-cpu-exact":
      return torch(["--table-optimizer", "exact", "--device", "cpu"], "torch");
    case "torch-cuda":
      return torch(["--device", "cuda"], "cuda");
    default:
      throw new RangeError(
        `Cannot run peer '${id}': use one of ${PEER_IDS.join(", ")}, ${EXTRA_PEER_IDS.join(", ")}`,
      );
  }
}

/** @returns `$PYTHON`, else `python3`. */
export function defaultPython(): string {
  return Deno.env.get("PYTHON") ?? "python3";
}

/**
 * Why a peer cannot run here, or null when it can.
 *
 * @param spec The peer.
 * @returns A reason a person can act on, or null.
 * @example
 * ```ts ignore
 * console.log(await peerUnavailable(peerSpec("torch-cpu", "/d")) ?? "ok");
 * ```
 */
export async function peerUnavailable(spec: PeerSpec): Promise<string | null> {
  if (spec.needs === "webgpu") {
    return (await describeAdapter())
      ? null
      : "no WebGPU adapter (navigator.gpu.requestAdapter() gave none)";
  }
  if (spec.needs === "torch" || spec.needs === "cuda") {
    const probe = spec.needs === "cuda"
      ? "import torch, numpy; assert torch.cuda.is_available(), 'torch.cuda.is_available() is false'"
      : "import torch, numpy";
    const out = await runChild(spec.cmd, ["-c", probe], { timeoutS: 120 });
    if (out.code !== 0) {
      return `'${spec.cmd}' cannot ${
        spec.needs === "cuda" ? "use CUDA through torch" : "import torch and numpy"
      }: ${tail(out.stderr, 1)} (pip install torch numpy, or set PYTHON)`;
    }
  }
  return null;
}

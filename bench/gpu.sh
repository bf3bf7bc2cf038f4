#!/usr/bin/env bash
# The whole GPU benchmark in one go, for a Linux machine with an NVIDIA GPU and Vulkan:
#   bench/gpu.sh OUTDIR [--allow-software] [--quick]
# 1. adapter.json   the WebGPU adapter; fails on llvmpipe/lavapipe/SwiftShader unless --allow-software
# 2. roofline.json  per kernel GB/s and GFLOP/s against the device limits (PEAK_GBPS, PEAK_GFLOPS;
#                   H100 SXM / H200 presets by adapter name), plus whole-call wall times
# 3. kernels.json   `deno bench --json bench/gpu_kernels_bench.ts`
# 4. e2e.json       end-to-end SER on WebGPU at 10k and 100k pairs (no pool: no DuckDB)
# 5. peers JSON     serflow-webgpu vs PyTorch CUDA (and TF.js webgpu), same data, interleaved
# 6. host.json      host time per training step, touched-row lists built on the GPU (the
#                   default) and by the host planner (in workers, and inline): the submitting
#                   thread's CPU time (planning, uploads, encoding, finish, submits) and wall
#                   times, upload bytes, against the kernels' bytes and flops, dispatches /
#                   submissions / readbacks per epoch, and the planner / host / device timeline
#                   (printed here, and timeline.svg): whether the host or the device is the
#                   critical path
# 7. encoder.json   pretrained-encoder tokens/s (MiniLM-L6 and BERT-base sizes, random weights):
#                   serflow WebGPU vs PyTorch CUDA on the same batch, f32 and f16 weights
# Deno: `deno` from PATH, or DENO_XZ=path/to/deno.xz (unpacked to a temporary folder).
# Python: $PYTHON or python3, with torch (CUDA build) and numpy; the torch peer is skipped with a
# reason in the JSON where it is missing. Each step has a time limit so the run ends within
# 10 minutes; a step that fails or times out is reported and the script exits 1 at the end.
# The import graph of every entry point is checked to be free of @duckdb/node-api first: only the
# npm packages the benchmark imports need to be vendored in node_modules.
set -uo pipefail

usage() { echo "usage: bench/gpu.sh OUTDIR [--allow-software] [--quick]" >&2; exit 2; }
[ $# -ge 1 ] || usage
OUT=$1; shift
ALLOW_SW=""; QUICK=0
for a in "$@"; do
  case "$a" in
    --allow-software) ALLOW_SW="--allow-software" ;;
    --quick) QUICK=1 ;;
    *) usage ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || { echo "Cannot create OUTDIR '$OUT'" >&2; exit 2; }
START=$(date +%s)
export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1
# Use node_modules as vendored: never install (the GPU machine has no network, and DuckDB is
# not needed there); child processes of the benchmark get the same flag.
export SERFLOW_BENCH_DENO_FLAGS="--node-modules-dir=manual"
NM="--node-modules-dir=manual"

if [ -n "${DENO_XZ:-}" ]; then
  [ -f "$DENO_XZ" ] || { echo "Cannot unpack Deno as DENO_XZ='$DENO_XZ' is not a file" >&2; exit 2; }
  TMP_DENO=$(mktemp -d)
  xz -dc "$DENO_XZ" > "$TMP_DENO/deno" && chmod +x "$TMP_DENO/deno" || { echo "Cannot unpack '$DENO_XZ' with xz" >&2; exit 2; }
  DENO="$TMP_DENO/deno"
elif command -v deno > /dev/null; then
  DENO=$(command -v deno)
else
  echo "Cannot find deno: put it on PATH or pass DENO_XZ=path/to/deno.xz" >&2; exit 2
fi
cd "$ROOT"
echo "gpu.sh: $($DENO --version | head -1); output in $OUT"

KFILTER=""
if [ "$QUICK" = 1 ]; then
  KFILTER="--filter 'score 256 pairs'"
  PAIRS_ROOF=1024; REPEATS=1; E2E_SIZES=1000; PEER_PAIRS=600; PEER_ROUNDS=1; PEER_EPOCHS=1
  HOST_PAIRS=1024
  ENC_SEQS=8; ENC_ROUNDS=1
else
  PAIRS_ROOF=65536; REPEATS=5; E2E_SIZES=10000,100000; PEER_PAIRS=10000; PEER_ROUNDS=5; PEER_EPOCHS=3
  HOST_PAIRS=65536
  ENC_SEQS=64; ENC_ROUNDS=5
fi
FAILED=0
step() { # step NAME LIMIT_S CMD...: runs CMD with a time limit, logs to OUT/NAME.log
  local name=$1 limit=$2; shift 2
  local t0=$(date +%s)
  echo "gpu.sh: $name (limit ${limit}s)"
  timeout --kill-after=5 "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  echo "gpu.sh: $name exit $rc after $(( $(date +%s) - t0 ))s"
  if [ $rc -ne 0 ]; then FAILED=1; tail -5 "$OUT/$name.log" >&2; fi
  return $rc
}

ENTRIES="bench/encoder_bench.ts bench/gpu_host.ts bench/lib/adapter_check.ts bench/lib/gpu_roofline.ts bench/gpu_kernels_bench.ts bench/e2e.ts bench/main.ts bench/peers/serflow_rm.ts bench/peers/tfjs_rm.ts"
for f in $ENTRIES; do
  if "$DENO" info $NM "$f" 2>/dev/null | grep -q "@duckdb"; then
    echo "Cannot run the GPU benchmark as $f imports @duckdb/node-api: keep DuckDB out of its graph" >&2
    exit 1
  fi
done

"$DENO" run -A $NM bench/lib/adapter_check.ts $ALLOW_SW > "$OUT/adapter.json" || exit 1
echo "gpu.sh: adapter $(grep -m1 '"description"' "$OUT/adapter.json")"

# The timeline first: it is what a first GPU run most needs to show.
step host 90 "$DENO" run -A $NM bench/gpu_host.ts --pairs "$HOST_PAIRS" --batch 1024 --warmup 1 --epochs 2 \
  --out "$OUT/host.json" --svg "$OUT/timeline.svg" \
  && cat "$OUT/host.log"
step roofline 100 "$DENO" run -A $NM bench/lib/gpu_roofline.ts --pairs "$PAIRS_ROOF" --repeats "$REPEATS" --out "$OUT/roofline.json"
# The bench file also prints its kernels' byte and flop counts: keep the JSON report apart.
step kernels 80 sh -c "'$DENO' bench --json -A --no-check $NM $KFILTER bench/gpu_kernels_bench.ts > '$OUT/kernels.txt'"
"$DENO" eval $NM "import { splitBenchOutput } from './bench/lib/micro.ts';
  const r = splitBenchOutput(Deno.readTextFileSync('$OUT/kernels.txt'));
  if (r.report === null) Deno.exit(1);
  Deno.writeTextFileSync('$OUT/kernels.json', r.report);
  Deno.writeTextFileSync('$OUT/kernels_printed.json', JSON.stringify(r.printed, null, 2));" || FAILED=1
step e2e 120 "$DENO" run -A $NM bench/e2e.ts --sizes "$E2E_SIZES" --backends webgpu --no-pool --iterations 3 --out "$OUT/e2e.json"
step peers 150 "$DENO" run -A $NM bench/main.ts --only peers --peers serflow-webgpu,torch-cuda,tfjs-webgpu \
  --peer-pairs "$PEER_PAIRS" --peer-rounds "$PEER_ROUNDS" --peer-epochs "$PEER_EPOCHS" --out-dir "$OUT" \
  --plots-dir "$OUT" --no-md

step encoder 90 "$DENO" run -A $NM bench/encoder_bench.ts --peers webgpu,torch-cuda \
  --seqs "$ENC_SEQS" --len 128 --rounds "$ENC_ROUNDS" --out "$OUT/encoder.json"
step encoder_f16 90 "$DENO" run -A $NM bench/encoder_bench.ts --peers webgpu,torch-cuda --f16 \
  --seqs "$ENC_SEQS" --len 128 --rounds "$ENC_ROUNDS" --out "$OUT/encoder_f16.json"

echo "gpu.sh: done in $(( $(date +%s) - START ))s; files: $(ls "$OUT" | tr '\n' ' ')"
[ -n "${TMP_DENO:-}" ] && rm -rf "$TMP_DENO"
exit $FAILED

#!/usr/bin/env bash
# Issue 33's GPU check in one prepared run: bench/gpu-bench.ts (decode tokens/s against the device's memory
# bandwidth, 4 and 8 sequences at once, prefix reuse, the two-model memory plan against what loading took) on a
# lent machine that has no network and no node, through the GPU kit of ../shared/device (node, a trimmed
# node-llama-cpp with its CPU and Vulkan builds, the Vulkan loader, the bench bundled).
#
#   bash scripts/device-check.sh --pack [--tiny]   here, where ../shared/device is: bundle the bench into .gpu-kit
#                                                  (run it again after any change to the bench or native/)
#   bash scripts/device-check.sh [--tiny]          on the lent machine, from the repo root, carrying [".gpu-kit"]:
#                                                  the check, under a time limit that keeps partial results;
#                                                  results in $OUT (gpu.json, gpu-<shape>.md) or bench/results
#   bash scripts/device-check.sh --dry-run         here, on the CPU: pack, then run the check with --tiny
#
# --tiny picks a generated tiny model, the CPU backend, 1 thread and 16 tokens a generation: the dry run that
# proves the kit runs end to end. Without it: a 1.5B-shaped model, Vulkan then the CPU, 128 tokens a generation.
# GPU_KIT_TIMEOUT (default 540 s) stops the bench in time for the run tool's 10-minute limit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
KIT=.gpu-kit
mode=check
tiny=0
for arg in "$@"; do
  case "$arg" in
    --pack) mode=pack ;;
    --dry-run) mode=dry-run; tiny=1 ;;
    --tiny) tiny=1 ;;
    *) echo "device-check.sh: unknown option '$arg' (--pack, --dry-run, --tiny)" >&2; exit 2 ;;
  esac
done

pack() {
  local shared=""
  for candidate in "${REFINERY_SHARED:-}" ../shared ../../shared; do
    [ -n "$candidate" ] && [ -f "$candidate/device/pack.sh" ] && { shared="$candidate"; break; }
  done
  [ -n "$shared" ] || { echo "device-check.sh: no device/pack.sh in ../shared or ../../shared; set REFINERY_SHARED to the shared folder" >&2; exit 1; }
  bash "$shared/device/pack.sh" bench/gpu-bench.ts "$KIT"
}

check() {
  if [ ! -f "$KIT/run.sh" ]; then
    echo "device-check.sh: no $KIT here: pack it on the development machine (bash scripts/device-check.sh --pack) and carry [\"$KIT\"]" >&2
    exit 1
  fi
  local args
  if [ "$tiny" = 1 ]; then
    args=(--shape tiny --backends cpu --threads 1 --tokens 16)
  else
    # Vulkan first: the GPU's figures are the ones this run is for; the CPU's follow if time is left.
    args=(--shape 1.5b --backends vulkan,cpu --tokens 128)
  fi
  local out="${OUT:-bench/results}"
  mkdir -p "$out"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader || true
  GPU_KIT_TIMEOUT="${GPU_KIT_TIMEOUT:-540}" bash "$KIT/run.sh" "${args[@]}" --out "$out"
}

case "$mode" in
  pack) pack ;;
  dry-run) pack; check ;;
  check) check ;;
esac

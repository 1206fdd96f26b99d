#!/usr/bin/env bash
# The real-GPU check (issue 17.4): one JSON summary of
#   - `ibp bench --backend gpu` (ms per step, kernel GFLOP/s and % of peak),
#   - the GPU parity and training test binaries,
#   - the two diverging links on --backend gpu (they must exit 3),
#   - sweeps of data=var_u&hidden=4096,4096&k=256 with --sweep seed=1:N for
#     N = 1, 2, 3, 5, 64: each trains (exit 0) or exits 1 naming the limit,
#     the bytes needed and the adapter's value; never a panic (exit 101).
# Usage: scripts/gpu-check.sh [--quick] [--bin DIR] [--out FILE] [--peak-gflops G --peak-gbps B]
#   --quick   a small version for a machine without a GPU (lavapipe): bench
#             --quick, the matmul parity test, sweeps of a 1024-wide model.
#   --bin DIR ibp and the test binaries built elsewhere (gpu-parity, ...);
#             otherwise they are built here (cargo build --release).
#   --out     the summary (default target/gpu-check.json); each check is
#             also appended, as it ends, to the same name with .jsonl, so a
#             session cut short keeps the checks that ran.
#   --check-timeout S  stop any one check after S seconds (exit 124, shown
#             as FAIL): on a lent machine, a hang must not eat the lease.
# Exit status: 0 when every check behaved, 1 otherwise (the summary says which).
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0 bin="" out="target/gpu-check.json" peaks=() limit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --bin) bin="$2"; shift ;;
    --out) out="$2"; shift ;;
    --check-timeout) limit="$2"; shift ;;
    --peak-gflops|--peak-gbps) peaks+=("$1" "$2"); shift ;;
    *) echo "gpu-check: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}" MESA_SHADER_CACHE_DIR="${MESA_SHADER_CACHE_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
work=$(mktemp -d)
progress="${out%.json}.jsonl"
mkdir -p "$(dirname "$out")"; : >"$progress"
tests=(gpu_parity gpu_parity_steps gpu_params gpu_training)
if [ -z "$bin" ]; then
  echo "== building (release)" >&2
  cargo build --release --bin ibp || exit 1
  bin="$work/bin"; mkdir -p "$bin"; cp target/release/ibp "$bin/"
  for t in "${tests[@]}"; do
    exe=$(cargo test --release --no-run --message-format=json --test "$t" 2>/dev/null |
      python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("executable") and m.get("profile",{}).get("test"): print(m["executable"])' | tail -n 1)
    [ -n "$exe" ] && cp "$exe" "$bin/$t"
  done
fi
ibp="$bin/ibp"
record() { # name, exit code, seconds, stdout file, stderr file
  python3 - "$@" >>"$progress" <<'PY'
import json, sys
name, code, seconds, out, err = sys.argv[1:6]
text = lambda p: open(p, errors="replace").read()
stdout = text(out)
try:
    stdout = json.loads(stdout)  # the bench: kept whole
except ValueError:
    stdout = stdout[-4000:]
print(json.dumps({"name": name, "exit": int(code), "seconds": float(seconds),
                  "stdout": stdout, "stderr": text(err)[-2000:]}))
PY
}
timed() { # name, command...: runs it, records it
  local name="$1"; shift
  local start; start=$(date +%s.%N)
  local cap=(); [ "$limit" != 0 ] && cap=(timeout "$limit")
  ${cap[@]+"${cap[@]}"} "$@" >"$work/out" 2>"$work/err"; local code=$?
  local took; took=$(python3 -c "import time; print(round(time.time() - $start, 2))")
  echo "== $name: exit $code, ${took} s" >&2
  record "$name" "$code" "$took" "$work/out" "$work/err"
}

echo "== bench" >&2
bench_args=(bench --backend gpu --json ${peaks[@]+"${peaks[@]}"})
[ $quick = 1 ] && bench_args+=(--quick)
timed bench "$ibp" "${bench_args[@]}"

for t in "${tests[@]}"; do
  [ -x "$bin/$t" ] || { echo "== $t: not built" >&2; continue; }
  if [ $quick = 1 ]; then
    [ "$t" = gpu_parity ] && timed "test $t" env CI=true "$bin/$t" matmul
  else
    timed "test $t" env CI=true "$bin/$t" --test-threads=1
  fi
done

circle='v=1&data=circle&hidden=16,16&k=2&beta=1e-3&lr=10&seed=1&report=10'
spiral='v=1&data=spiral&hidden=8&act=tanh&k=2&beta=1e-3&lr=1&batch=1&noise=0.5&seed=0&report=10'
timed "diverging circle (lr=10)" "$ibp" train --link "$circle" --steps 300 --backend gpu
timed "diverging spiral (batch 1, lr 1, noise 0.5)" "$ibp" train --link "$spiral" --steps 2000 --backend gpu

if [ $quick = 1 ]; then
  var_u='data=var_u&hidden=1024,1024&k=64&report=1000'; steps=2
else
  var_u='data=var_u&hidden=4096,4096&k=256&report=1000&lr=1e-4'; steps=20
fi
for n in 1 2 3 5 64; do
  timed "sweep seed=1:$n of $var_u" "$ibp" train --link "$var_u" --sweep "seed=1:$n" --steps $steps --backend gpu
done

python3 - "$progress" "$out" "$quick" <<'PY'
import json, sys, datetime, platform
checks = [json.loads(l) for l in open(sys.argv[1])]
def ok(c):
    name, code = c["name"], c["exit"]
    if name.startswith("diverging"):
        return code == 3 and "training diverged at step" in c["stderr"]
    if name.startswith("sweep"):
        limit = code == 1 and "too large for this GPU: it needs" in c["stderr"]
        return code == 0 or limit
    return code == 0
for c in checks:
    c["ok"] = ok(c)
summary = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "host": platform.node(), "quick": sys.argv[3] == "1",
           "all_ok": all(c["ok"] for c in checks), "checks": checks}
with open(sys.argv[2], "w") as f:
    json.dump(summary, f, indent=1)
for c in checks:
    print(f'{"ok  " if c["ok"] else "FAIL"} {c["name"]}: exit {c["exit"]}, {c["seconds"]} s')
print(f'summary: {sys.argv[2]}')
sys.exit(0 if summary["all_ok"] else 1)
PY
status=$?
rm -rf "$work"
exit $status

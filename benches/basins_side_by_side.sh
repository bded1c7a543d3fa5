#!/usr/bin/env bash
# The basins map side by side with its NumPy peer, in one run: ../shared/bench/basins_peer.py (every start of
# Himmelblau's 200×200 grid over [−5, 5]² at once, lr 0.01, ≤ 2000 steps, |∇f| ≤ 1e-6, converged starts masked),
# then descent's benchmark of the same map (benches/basins.rs: all cores, and one thread), then the peer again, so
# that a machine that got busier or quieter meanwhile shows. Prints every figure and the ratios.
#
# usage (from anywhere in the repository):
#   benches/basins_side_by_side.sh
#   PYTHON=/tmp/npvenv/bin/python PEER=/work/shared/bench/basins_peer.py benches/basins_side_by_side.sh
#
#   PYTHON  the python that runs the peer, with numpy (default python3; for one:
#           python3 -m venv /tmp/npvenv && /tmp/npvenv/bin/pip install numpy)
#   PEER    the peer script (default ../shared/bench/basins_peer.py, beside the repository)
#   RUNS    peer runs before and after (default 5); the ratio divides the fastest peer run by descent's median
#
# Run it on an otherwise idle machine (`uptime` is printed before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PEER=${PEER:-../shared/bench/basins_peer.py}
RUNS=${RUNS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$PYTHON" -c 'import numpy' || { echo "$PYTHON has no numpy (see the header of $0)" >&2; exit 2; }
# Built first, so that the timed part is only the benchmarks. The dependencies at opt-level 1 (the dev-dependencies
# bring the whole app along, half an hour at opt-level 3 on 2 cores); descent itself, the map's code, fully
# optimised as in a release build.
BENCH=(cargo bench --bench basins --config 'profile.bench.package."*".opt-level=1')
"${BENCH[@]}" --no-run
echo "load before: $(uptime)"
for _ in $(seq "$RUNS"); do "$PYTHON" "$PEER" 200; done | tee "$out/peer_before"
"${BENCH[@]}" -- '200x200/(all_cores|one_thread)' | tee "$out/descent"
for _ in $(seq "$RUNS"); do "$PYTHON" "$PEER" 200; done | tee "$out/peer_after"
echo "load after: $(uptime)"

"$PYTHON" - "$out" <<'PY'
import re, sys
out = sys.argv[1]
UNIT = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}

def peer(path):
    return [float(m) for m in re.findall(r"([\d.]+) s for 200x200 starts", open(path).read())]

def criterion(path):
    """{benchmark id: the median time in seconds} from criterion's text output."""
    times, current = {}, None
    for line in open(path):
        m = re.match(r"(basins_himmelblau/\S+)", line)
        if m:
            current = m.group(1)
        m = re.search(r"time:\s+\[([\d.]+) (\S+) ([\d.]+) (\S+) ([\d.]+) (\S+)\]", line)
        if m and current:
            times[current] = float(m.group(3)) * UNIT[m.group(4)]
    return times

before, after = peer(f"{out}/peer_before"), peer(f"{out}/peer_after")
best = min(before + after)
d = criterion(f"{out}/descent")
print()
print(f"NumPy peer, 200x200: fastest {best * 1e3:.1f} ms (before: {', '.join(f'{t * 1e3:.0f}' for t in before)} ms;"
      f" after: {', '.join(f'{t * 1e3:.0f}' for t in after)} ms)")
for case in ("all_cores", "one_thread"):
    t = d.get(f"basins_himmelblau/200x200/{case}")
    if t:
        print(f"descent {case:<10}: {t * 1e3:8.2f} ms (median)   {best / t:5.1f}x the peer")
PY

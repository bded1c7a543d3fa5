#!/usr/bin/env bash
# The README's N = 10⁶ comparison in one run: the notebook's NumPy loop (../shared/bench/peers.py), descent's
# N = 10⁶ runs on all cores and on one, and the bare passes; then the NumPy loop again, so that a machine that got
# busier or quieter meanwhile shows. Prints every figure and the ratios.
#
# usage (from anywhere in the repository):
#   benches/side_by_side.sh
#   PYTHON=/tmp/npvenv/bin/python benches/side_by_side.sh
#
#   PYTHON  the python that runs peers.py, with numpy (default python3; for one:
#           python3 -m venv /tmp/npvenv && /tmp/npvenv/bin/pip install numpy)
#   PEERS   the peer script (default ../shared/bench/peers.py, beside the repository)
#
# The one-core figures run the same benchmark under `taskset -c 0`: descent splits a pass over the cores the
# process may use, so there it takes one thread. The ratios divide by the faster of the two NumPy figures. Run it
# on an otherwise idle machine (`uptime`): both sides are memory-bound passes over 16 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PEERS=${PEERS:-../shared/bench/peers.py}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$PYTHON" -c 'import numpy' || { echo "$PYTHON has no numpy (see the header of $0)" >&2; exit 2; }
# Built first, so that the timed part is only the benchmarks.
cargo bench --bench engine --no-run
echo "load before: $(uptime)"
"$PYTHON" "$PEERS" 1000000 | tee "$out/numpy_before"
cargo bench --bench engine -- 'N=1000000|^pass_(mse|huber|mae)/' | tee "$out/all_cores"
if command -v taskset >/dev/null; then
    taskset -c 0 cargo bench --bench engine -- '^(huber|mae)_sgd/N=1000000' | tee "$out/one_core"
else
    echo "no taskset: the one-core runs are left out" >&2
    : >"$out/one_core"
fi
"$PYTHON" "$PEERS" 1000000 | tee "$out/numpy_after"
echo "load after: $(uptime)"

"$PYTHON" - "$out" <<'EOF'
import re, sys
out = sys.argv[1]
UNITS = {"elem/s": 1.0, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}

def criterion(path):
    """{benchmark id: the middle throughput estimate} from criterion's text output."""
    rates, current = {}, None
    for line in open(path):
        m = re.match(r"([a-z_]+/[^\s:]+)", line)
        if m:
            current = m.group(1)
        found = re.findall(r"([\d.]+)\s+([KMG]?elem/s)", line)
        if "thrpt:" in line and len(found) == 3 and current:
            value, unit = found[1]
            rates[current] = float(value) * UNITS[unit]
    return rates

def numpy(path):
    m = re.search(r"([\d,]+) steps/s", open(path).read())
    return float(m.group(1).replace(",", ""))

before, after = numpy(f"{out}/numpy_before"), numpy(f"{out}/numpy_after")
peer = max(before, after)
all_cores, one_core = criterion(f"{out}/all_cores"), criterion(f"{out}/one_core")
limit = all_cores.get("pass_mse/threads=1")

print()
print(f"NumPy notebook loop, N = 10⁶ (MSE): {before:,.0f} steps/s before, {after:,.0f} after; ratios use {peer:,.0f}")
print(f"fused-pass limit (MSE's per-sample pass, one thread): {limit:,.0f} passes/s" if limit else "no fused-pass figure")
print()
print(f"{'case':<34} {'descent':>19} {'× NumPy':>8} {'of limit':>9}")
rows = [(f"{loss} SGD, all cores", all_cores.get(f"{loss}_sgd/N=1000000"), "steps/s") for loss in ("huber", "mae")]
rows += [(f"{loss} SGD, one core", one_core.get(f"{loss}_sgd/N=1000000"), "steps/s") for loss in ("huber", "mae")]
rows += [(k.replace("/", " "), v, "passes/s") for k, v in sorted(all_cores.items()) if k.startswith("pass_")]
rows += [("mse SGD (sufficient statistics)", all_cores.get("mse_sgd/N=1000000"), "steps/s")]
for name, rate, unit in rows:
    if rate is not None:
        # A step of the MSE run costs O(1), not a pass: no share of the pass limit.
        share = "" if name.startswith("mse SGD") or not limit else f"{rate / limit:.0%}"
        print(f"{name:<34} {rate:>10,.0f} {unit:<8} {rate / peer:>7.1f}× {share:>9}")
EOF

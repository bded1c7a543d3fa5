#!/usr/bin/env bash
# Remakes assets/windows/: every tab, and the lesson layouts, at 1280x720, 1366x768 and 1920x1080, each opened on a
# problem where the tab has something to show. Uses ../shared/tools/windows (Xvfb, --window-size, --screenshot).
# usage: scripts/windows.sh [OUTDIR]     (DESCENT_BIN picks the binary; default target/release/descent)
set -euo pipefail
out=${1:-assets/windows}
tool=${WINDOWS_TOOL:-../shared/tools/windows}
tmp=$(mktemp -d)
shot() { # NAME APP-ARGS...
  local name=$1; shift
  "$tool" "$tmp/$name" "$@" >/dev/null
  for size in 1280x720 1366x768 1920x1080; do
    if [ -f "$tmp/$name/$size.png" ]; then mv "$tmp/$name/$size.png" "$out/$name-$size.png"; else echo "missing: $name at $size"; fi
  done
}
mkdir -p "$out"
# The tabs, each on a problem it draws for.
shot tab-gradient-check --tab gradient-check --run --after-steps 40
shot tab-ledger         --tab ledger --run --after-steps 40
shot tab-inside         --tab inside --optimizer adam --lr 0.5 --run --after-steps 60
shot tab-phase          --tab phase --optimizer sgd --momentum 0.81 --run --after-steps 60
shot tab-basins         --tab basins --preset himmelblau --run --after-steps 200
shot tab-lr-sweep       --tab lr-sweep --run --after-steps 40
shot tab-fair-race      --tab fair-race --preset race --run --after-steps 200
shot tab-notebook-log   --tab notebook-log --preset notebook --run --after-steps 40
shot tab-data           --tab data --bias --run --after-steps 40
shot tab-exercises      --tab exercises
# The presets, and the lesson layouts (pages of lesson files in assets/windows/lessons/).
shot notebook --preset notebook --run --after-steps 100
shot race     --preset race --run --after-steps 300
shot huber    --loss huber --data outliers --run --after-steps 100
# A long run on the log step axis (the race with a bias: AdamW won't settle), the 3-D surface, presentation mode.
shot race-bias-log-steps --preset race --bias --step-axis log --run --after-steps 20000
shot surface-rosenbrock  --preset rosenbrock --surface --run --after-steps 400
shot surface-saddle      --preset saddle --surface --run --after-steps 60
shot present-colorblind  --preset race --present --palette colorblind --run --after-steps 300
for lesson in plots settings exercise; do shot "lesson-$lesson" --lesson "assets/windows/lessons/$lesson.toml"; done
shot lesson-notebook --lesson notebook
rm -rf "$tmp"

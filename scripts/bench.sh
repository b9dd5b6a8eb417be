#!/usr/bin/env bash
# Benchmarks: surestep beside the peer it replaces, one section per subcommand, run in one go.
#   bash scripts/bench.sh [section...]      sections: verify-wheels publish wait-for-image lock
# Each section prints medians and ratios. Work files go to bench-work/ (git-ignored).
# Results are copied into the README's "Performance" section.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${BENCH_WORK:-$ROOT/bench-work}
PEERS=${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}
mkdir -p "$WORK"

build() {
  cargo build --release --locked --quiet
  SURESTEP=$ROOT/target/release/surestep
}

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# seconds taken by a command (wall clock), output discarded
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

ratio() { echo "scale=2; $1 / $2" | bc -l; }

# --- section: verify-wheels ---------------------------------------------------------------
section_verify_wheels() {
  echo "verify-wheels: not yet benchmarked"
}

# --- section: publish ---------------------------------------------------------------------
section_publish() {
  echo "publish: not yet benchmarked"
}

# --- section: wait-for-image --------------------------------------------------------------
section_wait_for_image() {
  echo "wait-for-image: not yet benchmarked"
}

# --- section: lock ------------------------------------------------------------------------
section_lock() {
  echo "lock: not yet benchmarked"
}

# ------------------------------------------------------------------------------------------
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
build
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(verify-wheels publish wait-for-image lock)
for s in "${sections[@]}"; do
  echo "== $s"
  "section_${s//-/_}"
done

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
# The 8 numpy 2.3.4 wheels (cp311-cp314 x manylinux_2_28 x86_64/aarch64, ~120 MB zipped,
# ~440 MB inflated), checked by: surestep (every check, all cores), the CPython RECORD check that
# `wheel unpack` / `installer` do (../shared/bench/record_check.py), `unzip -tq` (CRC only), and
# surestep on one core (RAYON_NUM_THREADS=1). Interleaved, 5 rounds, medians.
section_verify_wheels() {
  local dir=$WORK/numpy-2.3.4 peer=$ROOT/../shared/bench/record_check.py rounds=${ROUNDS:-5}
  mkdir -p "$dir"
  for py in 3.11 3.12 3.13 3.14; do
    for arch in x86_64 aarch64; do
      ls "$dir"/numpy-2.3.4-cp${py/./}-cp${py/./}-*_${arch}.whl >/dev/null 2>&1 && continue
      python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version "$py" \
        --platform "manylinux_2_28_$arch" numpy==2.3.4 -d "$dir"
    done
  done
  local wheels=("$dir"/*.whl)
  [ ${#wheels[@]} -eq 8 ] || { echo "expected 8 numpy wheels in $dir, found ${#wheels[@]}"; return 1; }
  [ -f "$peer" ] || { echo "missing $peer"; return 1; }
  echo "$(du -cb "${wheels[@]}" | tail -1 | cut -f1) bytes in ${#wheels[@]} wheels, $(nproc) cores"

  sw_all() { "$SURESTEP" verify-wheels -q "${wheels[@]}"; }
  sw_one() { RAYON_NUM_THREADS=1 "$SURESTEP" verify-wheels -q "${wheels[@]}"; }
  py_rec() { python3 "$peer" "${wheels[@]}"; }
  unz() { local w; for w in "${wheels[@]}"; do unzip -tq "$w" || return 1; done; }
  # Every contender must pass on these wheels before its time counts (also warms the cache).
  local f
  for f in sw_all sw_one py_rec unz; do
    $f >/dev/null 2>&1 || { echo "$f failed on the numpy wheels"; return 1; }
  done

  # Wall clock and CPU (user+sys) of one run; the machine is shared, so CPU time is the steadier
  # figure and wall clock shows what the cores bought.
  wall_cpu() {
    local t=$WORK/.time
    /usr/bin/time -o "$t" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    awk '{printf "%s %.3f\n", $1, $2 + $3}' "$t"
  }
  local w_sw=() w_one=() w_py=() w_unz=() c_sw=() c_one=() c_py=() c_unz=() r x c
  for ((r = 1; r <= rounds; r++)); do
    read -r x c <<<"$(wall_cpu "$SURESTEP" verify-wheels -q "${wheels[@]}")"; w_sw+=("$x"); c_sw+=("$c")
    read -r x c <<<"$(wall_cpu python3 "$peer" "${wheels[@]}")"; w_py+=("$x"); c_py+=("$c")
    read -r x c <<<"$(wall_cpu bash -c 'for w; do unzip -tq "$w" || exit 1; done' _ "${wheels[@]}")"
    w_unz+=("$x"); c_unz+=("$c")
    read -r x c <<<"$(wall_cpu env RAYON_NUM_THREADS=1 "$SURESTEP" verify-wheels -q "${wheels[@]}")"
    w_one+=("$x"); c_one+=("$c")
  done
  med() { printf '%s\n' "$@" | median; }
  local m_sw m_one m_py m_unz
  m_sw=$(med "${w_sw[@]}"); m_one=$(med "${w_one[@]}"); m_py=$(med "${w_py[@]}"); m_unz=$(med "${w_unz[@]}")
  printf '  %-46s %8s %8s\n' "" "wall" "cpu"
  printf '  %-46s %7.3fs %7.3fs\n' \
    "surestep verify-wheels (all cores)" "$m_sw" "$(med "${c_sw[@]}")" \
    "python3 record_check.py (zipfile+hashlib)" "$m_py" "$(med "${c_py[@]}")" \
    "unzip -tq (CRC only)" "$m_unz" "$(med "${c_unz[@]}")" \
    "surestep verify-wheels (RAYON_NUM_THREADS=1)" "$m_one" "$(med "${c_one[@]}")"
  echo "  record_check.py / surestep (all cores), wall:  $(ratio "$m_py" "$m_sw")x  (goal >= 3x)"
  echo "  record_check.py / surestep, cpu:               $(ratio "$(med "${c_py[@]}")" "$(med "${c_sw[@]}")")x"
  echo "  unzip -tq / surestep (all cores), wall:        $(ratio "$m_unz" "$m_sw")x"
  echo "  unzip -tq / surestep (one core), wall:         $(ratio "$m_unz" "$m_one")x  (goal >= 1x)"
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

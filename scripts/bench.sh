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

  local t_sw=() t_one=() t_py=() t_unz=() r
  for ((r = 1; r <= rounds; r++)); do
    t_sw+=("$(timeit sw_all)")
    t_py+=("$(timeit py_rec)")
    t_unz+=("$(timeit unz)")
    t_one+=("$(timeit sw_one)")
  done
  local m_sw m_one m_py m_unz
  m_sw=$(printf '%s\n' "${t_sw[@]}" | median)
  m_one=$(printf '%s\n' "${t_one[@]}" | median)
  m_py=$(printf '%s\n' "${t_py[@]}" | median)
  m_unz=$(printf '%s\n' "${t_unz[@]}" | median)
  printf '  %-44s median %6.3f s\n' "surestep verify-wheels (all cores)" "$m_sw" \
    "python3 record_check.py (zipfile+hashlib)" "$m_py" "unzip -tq (CRC only)" "$m_unz" \
    "surestep verify-wheels (RAYON_NUM_THREADS=1)" "$m_one"
  echo "  record_check.py / surestep (all cores):  $(ratio "$m_py" "$m_sw")x  (goal >= 3x)"
  echo "  unzip -tq / surestep (all cores):        $(ratio "$m_unz" "$m_sw")x"
  echo "  unzip -tq / surestep (one core):         $(ratio "$m_unz" "$m_one")x  (goal >= 1x)"
}

# --- section: publish ---------------------------------------------------------------------
# pypiserver on a free port with an empty package dir, behind fault_proxy.py adding
# PUBLISH_LATENCY_MS each way (like an index across the internet). Sets UPLOAD, SIMPLE,
# DIRECT (no proxy), PROXY_LOG; the pids go to PUBLISH_PIDS for publish_stop.
publish_start() {
  local dir=$1 port pport
  rm -rf "$dir"; mkdir -p "$dir/pkgs"
  "$PEERS/venv-pypiserver/bin/python" -c "import sys
from passlib.apache import HtpasswdFile
h = HtpasswdFile(sys.argv[1], new=True); h.set_password('tester', 'secret'); h.save()" "$dir/htpasswd"
  port=$(free_port); pport=$(free_port)
  "$PEERS/venv-pypiserver/bin/pypi-server" run -i 127.0.0.1 -p "$port" -a update -P "$dir/htpasswd" \
    --disable-fallback --hash-algo sha256 "$dir/pkgs" >"$dir/pypiserver.log" 2>&1 &
  PUBLISH_PIDS+=($!)
  python3 "$ROOT/scripts/peers/fault_proxy.py" --port "$pport" --upstream "127.0.0.1:$port" \
    --latency-ms "$PUBLISH_LATENCY_MS" --log "$dir/proxy.jsonl" --max-seconds 1800 >"$dir/proxy.log" 2>&1 &
  PUBLISH_PIDS+=($!)
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && nc_ok "$pport" && break
    sleep 0.1
  done
  UPLOAD="http://127.0.0.1:$pport/" SIMPLE="http://127.0.0.1:$pport/simple/"
  DIRECT="http://127.0.0.1:$port/" PROXY_LOG="$dir/proxy.jsonl"; touch "$PROXY_LOG"
}
publish_stop() { local p; for p in "${PUBLISH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PUBLISH_PIDS=(); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nc_ok() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$1" 2>/dev/null; }
requests_in() { wc -l <"$1" | tr -d ' '; }

# One timed publish by TOOL (surestep | twine | uv) of DIST to the current index; prints
# "seconds requests".
publish_with() {
  local tool=$1 dist=$2 before after t
  before=$(requests_in "$PROXY_LOG")
  case $tool in
    surestep) t=$(timeit "$SURESTEP" publish -q --no-progress --repository-url "$UPLOAD" \
                 --check-url "$SIMPLE" -u tester -p secret "$dist") ;;
    twine) t=$(timeit env PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring "$PEERS/venv-tools/bin/twine" \
                 upload --non-interactive --disable-progress-bar --repository-url "$UPLOAD" \
                 -u tester -p secret "$dist"/*) ;;
    uv) t=$(timeit env UV_CACHE_DIR="$WORK/publish/uv-cache" "$PEERS/venv-tools/bin/uv" publish \
                 --publish-url "$UPLOAD" --check-url "$SIMPLE" -u tester -p secret "$dist"/*) ;;
  esac
  sleep 0.3 # the proxy logs a request when it has finished with it
  after=$(requests_in "$PROXY_LOG")
  echo "$t $((after - before))"
}

section_publish() {
  local fixtures=$ROOT/../shared/fixtures/wheels/markupsafe-3.0.3 runs=${PUBLISH_RUNS:-5}
  PUBLISH_LATENCY_MS=${PUBLISH_LATENCY_MS:-50}
  if [ ! -d "$fixtures" ]; then echo "publish: skipped, $fixtures is absent"; return; fi
  [ -x "$PEERS/venv-tools/bin/twine" ] || "$PEERS/venv-tools/bin/pip" install -q twine==7.0.0
  [ -x "$PEERS/venv-tools/bin/uv" ] || "$PEERS/venv-tools/bin/pip" install -q uv
  local w=$WORK/publish tool r line
  mkdir -p "$w"; PUBLISH_PIDS=(); trap publish_stop RETURN
  echo "11 MarkupSafe 3.0.3 files, pypiserver behind a ${PUBLISH_LATENCY_MS} ms-each-way proxy, $runs runs, medians"
  echo "versions: $("$PEERS/venv-tools/bin/twine" --version | head -1 | awk '{print $1, $3}'), $("$PEERS/venv-tools/bin/uv" --version | cut -d' ' -f1-2)"

  # Fresh upload: an empty index for every run of every tool, tools interleaved.
  declare -A fresh_t fresh_n
  for r in $(seq "$runs"); do
    for tool in surestep twine uv; do
      publish_start "$w/fresh"
      read -r t n < <(publish_with "$tool" "$fixtures")
      [ "$(ls "$w/fresh/pkgs" | wc -l)" = 11 ] || echo "  warning: $tool left $(ls "$w/fresh/pkgs" | wc -l) files"
      fresh_t[$tool]+="$t "; fresh_n[$tool]=$n
      publish_stop
    done
  done
  # Re-run with everything present (twine cannot skip on non-PyPI indexes: it fails with 400).
  declare -A re_t re_n
  publish_start "$w/rerun"
  publish_with surestep "$fixtures" >/dev/null
  for r in $(seq "$runs"); do
    for tool in surestep uv; do
      read -r t n < <(publish_with "$tool" "$fixtures")
      re_t[$tool]+="$t "; re_n[$tool]=$n
    done
  done
  publish_stop
  local fs ft fu rs ru
  fs=$(echo "${fresh_t[surestep]}" | tr ' ' '\n' | grep . | median)
  ft=$(echo "${fresh_t[twine]}" | tr ' ' '\n' | grep . | median)
  fu=$(echo "${fresh_t[uv]}" | tr ' ' '\n' | grep . | median)
  rs=$(echo "${re_t[surestep]}" | tr ' ' '\n' | grep . | median)
  ru=$(echo "${re_t[uv]}" | tr ' ' '\n' | grep . | median)
  printf '  %-34s %8s %8s %8s\n' "" surestep twine "uv"
  printf '  %-34s %7.2fs %7.2fs %7.2fs\n' "fresh upload" "$fs" "$ft" "$fu"
  printf '  %-34s %8s %8s %8s\n' "  requests" "${fresh_n[surestep]}" "${fresh_n[twine]}" "${fresh_n[uv]}"
  printf '  %-34s %7.2fs %8s %7.2fs\n' "re-run, everything present" "$rs" "n/a" "$ru"
  printf '  %-34s %8s %8s %8s\n' "  requests" "${re_n[surestep]}" "-" "${re_n[uv]}"
  echo "  fresh: twine/surestep $(ratio "$ft" "$fs")x, uv/surestep $(ratio "$fu" "$fs")x; re-run: uv/surestep $(ratio "$ru" "$rs")x"

  # Peak RSS while uploading a 1 GiB wheel (direct, no proxy).
  local big=$WORK/publish/big
  [ -f "$big/bigpkg-1.0.0-py3-none-any.whl" ] || python3 "$ROOT/scripts/peers/make_big_wheel.py" "$big" bigpkg 1.0.0 1024 >/dev/null
  local rss_line=""
  for tool in surestep twine uv; do
    publish_start "$w/rss"
    local cmd=()
    case $tool in
      surestep) cmd=("$SURESTEP" publish -q --no-progress --repository-url "$DIRECT" --check-url "${DIRECT}simple/" -u tester -p secret "$big") ;;
      twine) cmd=(env PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring "$PEERS/venv-tools/bin/twine" upload --non-interactive --disable-progress-bar --repository-url "$DIRECT" -u tester -p secret "$big"/bigpkg-1.0.0-py3-none-any.whl) ;;
      uv) cmd=(env UV_CACHE_DIR="$WORK/publish/uv-cache" "$PEERS/venv-tools/bin/uv" publish --publish-url "$DIRECT" -u tester -p secret "$big"/bigpkg-1.0.0-py3-none-any.whl) ;;
    esac
    local s e kb
    s=$(date +%s.%N)
    kb=$( { /usr/bin/time -v "${cmd[@]}" >/dev/null 2>"$w/rss.$tool.err"; } 2>&1; grep 'Maximum resident' "$w/rss.$tool.err" | awk '{print $NF}')
    e=$(date +%s.%N)
    [ -f "$w/rss/pkgs/bigpkg-1.0.0-py3-none-any.whl" ] || echo "  warning: $tool did not upload the 1 GiB wheel (see $w/rss.$tool.err)"
    rss_line+="$(printf '%s %.0f MB (%.1fs)  ' "$tool" "$(echo "$kb / 1024" | bc -l)" "$(echo "$e - $s" | bc -l)")"
    publish_stop
  done
  echo "  peak RSS uploading a 1 GiB wheel: $rss_line"
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

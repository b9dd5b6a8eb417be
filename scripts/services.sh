#!/usr/bin/env bash
# Real test peers for surestep's integration tests, all on 127.0.0.1 only.
#
#   bash scripts/services.sh install [--with-s3s]   # idempotent; fast when already installed
#   bash scripts/services.sh start|stop|status      # demo instances on fixed ports (humans only)
#
# Tests never use start/stop: tests/support/ starts private instances on free ports.
# Everything lives under ${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}.
# Versions are the ones measured in shared/reference/test-peers.md.
set -euo pipefail

PEERS="${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}"
RUN="$PEERS/run"
PYTHON="${SURESTEP_PYTHON:-python3}"

APT_PACKAGES=(docker-registry skopeo apache2-utils openssl curl git binutils)  # binutils: objdump -T (glibc check)
MOTO_SPEC=("moto[server]==5.2.5")
PYPISERVER_SPEC=("pypiserver==2.4.2" "passlib==1.7.4")
DEVPI_SPEC=("devpi-server==6.20.3" "devpi-client==7.3.0")
TOOLS_SPEC=("twine==7.0.0")
YAML_SPEC=("PyYAML==6.0.3")  # tests/example_workflow.rs reads examples/release.yml with it
# scripts/build-wheel.sh: maturin builds the wheel and sdist; zig links against glibc 2.17.
WHEEL_SPEC=("maturin==1.16.0" "ziglang==0.15.2")
S3S_VERSION="0.14.1"

# Fixed demo ports (test-peers.md §4).
MOTO_PORT=9000 S3S_PORT=8014 REGISTRY_PORT=5000 PYPISERVER_PORT=8081 DEVPI_PORT=3141

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------- install

install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "apt: already installed: ${APT_PACKAGES[*]}"
    return
  fi
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  log "apt: installing ${missing[*]} (apt-get update first)"
  "${sudo[@]}" apt-get update -qq
  # dpkg is chatty even with -qq: keep only what got installed (and errors).
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1 \
    | { grep -E '^(Setting up|E:|W:)' || true; } >&2
}

# install_venv NAME SPEC... : one venv per server, skipped when the stamp matches the spec.
install_venv() {
  local name="$1"; shift
  local venv="$PEERS/$name" want stamp
  want="$*"
  stamp="$venv/.surestep-spec"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$name: already installed: $want"
    return
  fi
  log "$name: installing $want"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir "$@"
  local spec names=()
  for spec in "$@"; do names+=("${spec%%[[=<>]*}"); done
  log "$name: installed $("$venv/bin/pip" list --disable-pip-version-check --format=freeze 2>/dev/null \
    | grep -iE "^($(IFS='|'; echo "${names[*]}"))==" | tr '\n' ' ')"
  printf '%s' "$want" >"$stamp"
}

install_s3s() {
  local root="$PEERS/cargo-s3s" bin="$PEERS/cargo-s3s/bin/s3s-fs"
  if [[ -x "$bin" && -f "$root/.surestep-version" && "$(cat "$root/.surestep-version")" == "$S3S_VERSION" ]]; then
    log "s3s-fs: already installed: $S3S_VERSION"
    return
  fi
  log "s3s-fs: cargo install s3s-fs@$S3S_VERSION (about 2.5 minutes)"
  CARGO_TARGET_DIR="$PEERS/target-s3s" cargo install "s3s-fs@$S3S_VERSION" \
    --features binary --locked --root "$root"
  rm -rf "$PEERS/target-s3s"
  printf '%s' "$S3S_VERSION" >"$root/.surestep-version"
}

cmd_install() {
  local with_s3s=0 a
  for a in "$@"; do
    case "$a" in
      --with-s3s) with_s3s=1 ;;
      *) die "unknown install option: $a" ;;
    esac
  done
  mkdir -p "$PEERS"
  local t0=$SECONDS
  install_apt
  install_venv venv-moto "${MOTO_SPEC[@]}"
  install_venv venv-pypiserver "${PYPISERVER_SPEC[@]}"
  install_venv venv-devpi "${DEVPI_SPEC[@]}"
  install_venv venv-tools "${TOOLS_SPEC[@]}"
  install_venv venv-yaml "${YAML_SPEC[@]}"
  install_venv venv-wheel "${WHEEL_SPEC[@]}"
  if ((with_s3s)); then
    install_s3s
  elif [[ -x "$PEERS/cargo-s3s/bin/s3s-fs" ]]; then
    log "s3s-fs: present (not rechecked; use --with-s3s)"
  else
    log "s3s-fs: skipped (add --with-s3s to build it, ~2.5 min)"
  fi
  log "install done in $((SECONDS - t0)) s; peers in $PEERS"
}

# ----------------------------------------------------------------------------- start/stop/status

pidfile() { echo "$RUN/$1.pid"; }

is_running() {
  local f; f="$(pidfile "$1")"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# launch NAME CMD... : own session (setsid) so stop can kill the whole group.
launch() {
  local name="$1"; shift
  if is_running "$name"; then log "$name: already running (pid $(cat "$(pidfile "$name")"))"; return; fi
  setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  log "$name: started pid $! (log $RUN/$name.log)"
}

wait_http() {  # wait_http NAME URL [TIMEOUT_S]
  local i limit=$(( ${3:-15} * 10 ))
  for ((i = 0; i < limit; i++)); do
    if curl -s -o /dev/null -m 1 "$2"; then log "$1: ready at $2"; return 0; fi
    is_running "$1" || break
    sleep 0.1
  done
  log "$1: NOT ready; tail of $RUN/$1.log:"; tail -n 20 "$RUN/$1.log" >&2 || true
  return 1
}

need() { [[ -x "$1" ]] || die "$1 missing: run 'bash scripts/services.sh install'"; }

cmd_start() {
  mkdir -p "$RUN"
  need "$PEERS/venv-moto/bin/moto_server"
  need "$PEERS/venv-pypiserver/bin/pypi-server"
  need "$PEERS/venv-devpi/bin/devpi-server"
  command -v docker-registry >/dev/null || die "docker-registry missing: run 'bash scripts/services.sh install'"

  launch moto "$PEERS/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"

  if [[ -x "$PEERS/cargo-s3s/bin/s3s-fs" ]]; then
    mkdir -p "$RUN/s3s-data"
    launch s3s-fs "$PEERS/cargo-s3s/bin/s3s-fs" --host 127.0.0.1 --port "$S3S_PORT" \
      --access-key s3sak --secret-key s3ssecret-for-tests "$RUN/s3s-data"
  else
    log "s3s-fs: not installed (install --with-s3s), not started"
  fi

  mkdir -p "$RUN/registry-data"
  cat >"$RUN/registry.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $RUN/registry-data}
  delete: {enabled: true}
  cache: {blobdescriptor: inmemory}
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  secret: not-a-secret-local-test-only
  headers: {X-Content-Type-Options: [nosniff]}
YML
  launch registry docker-registry serve "$RUN/registry.yml"

  mkdir -p "$RUN/pypiserver-pkgs"
  "$PEERS/venv-pypiserver/bin/python" -c 'import sys
from passlib.apache import HtpasswdFile
h = HtpasswdFile(sys.argv[1], new=True); h.set_password("tester", "secret"); h.save()' "$RUN/pypiserver.htpasswd"
  launch pypiserver "$PEERS/venv-pypiserver/bin/pypi-server" run -i 127.0.0.1 -p "$PYPISERVER_PORT" \
    -a update -P "$RUN/pypiserver.htpasswd" --disable-fallback --hash-algo sha256 "$RUN/pypiserver-pkgs"

  if [[ ! -d "$RUN/devpi-server" ]]; then
    "$PEERS/venv-devpi/bin/devpi-init" --serverdir "$RUN/devpi-server" --no-root-pypi --root-passwd rootpw >"$RUN/devpi-init.log" 2>&1
  fi
  launch devpi "$PEERS/venv-devpi/bin/devpi-server" --serverdir "$RUN/devpi-server" \
    --host 127.0.0.1 --port "$DEVPI_PORT" --offline-mode

  local ok=0
  wait_http moto "http://127.0.0.1:$MOTO_PORT/" || ok=1
  if is_running s3s-fs; then wait_http s3s-fs "http://127.0.0.1:$S3S_PORT/" || ok=1; fi
  wait_http registry "http://127.0.0.1:$REGISTRY_PORT/v2/" || ok=1
  wait_http pypiserver "http://127.0.0.1:$PYPISERVER_PORT/health" || ok=1
  if wait_http devpi "http://127.0.0.1:$DEVPI_PORT/+api" 90; then
    local d="http://127.0.0.1:$DEVPI_PORT"
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$d/tester/dev")" != 200 ]]; then
      curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' \
        -d '{"password":"secret","email":"t@example.invalid"}' "$d/tester"
      curl -sf -o /dev/null -u tester:secret -X PUT -H 'Content-Type: application/json' \
        -d '{"bases":[],"volatile":false}' "$d/tester/dev" || { log "devpi: creating tester/dev failed"; ok=1; }
      log "devpi: created user tester/secret and index tester/dev"
    fi
  else
    ok=1
  fi
  cat >&2 <<TXT
[services] endpoints (all 127.0.0.1):
  moto (S3, any credentials)   http://127.0.0.1:$MOTO_PORT
  s3s-fs (s3sak / s3ssecret-for-tests, if installed)  http://127.0.0.1:$S3S_PORT
  registry (anonymous)         http://127.0.0.1:$REGISTRY_PORT/v2/
  pypiserver (tester/secret)   upload http://127.0.0.1:$PYPISERVER_PORT/  simple http://127.0.0.1:$PYPISERVER_PORT/simple/
  devpi (tester/secret)        upload http://127.0.0.1:$DEVPI_PORT/tester/dev/  simple http://127.0.0.1:$DEVPI_PORT/tester/dev/+simple/
TXT
  return $ok
}

cmd_stop() {
  local name f pid i
  for name in moto s3s-fs registry pypiserver devpi; do
    f="$(pidfile "$name")"
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "$name: stopped (pid $pid)"
    fi
    rm -f "$f"
  done
}

cmd_status() {
  local name rc=0
  for name in moto s3s-fs registry pypiserver devpi; do
    if is_running "$name"; then
      printf '%-11s running  pid %s\n' "$name" "$(cat "$(pidfile "$name")")"
    else
      printf '%-11s stopped\n' "$name"; rc=3
    fi
  done
  return $rc
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install [--with-s3s] | start | stop | status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The README's "Run it": one whole release with surestep, against private local servers.
#
#   bash scripts/demo.sh
#
# Installs the test peers on first use (scripts/services.sh install), starts its OWN registry,
# pypiserver and moto (S3) on free 127.0.0.1 ports under scripts/peers/supervise.py, builds
# surestep (debug), makes a throw-away git repo tagged v3.0.3 with MarkupSafe 3.0.3's real
# wheels, then runs a release step by step, printing each command first:
#   check-tag -> verify-wheels -> publish -> publish again -> wait-for-image -> lock status/unlock
# Nothing survives it: every server dies with the script (even on kill -9), its temp dir goes.
# Exit 0 when every step gave the exit code a release engineer expects.
#
# Environment: SURESTEP_BIN (use this binary, skip the build), SURESTEP_FIXTURES (the
# markupsafe-3.0.3 wheel dir), SURESTEP_PEERS, SURESTEP_PYTHON.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}"
PYTHON="${SURESTEP_PYTHON:-python3}"
FIXTURES="${SURESTEP_FIXTURES:-$ROOT/../shared/fixtures/wheels/markupsafe-3.0.3}"
VERSION=3.0.3
T_START=$SECONDS

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  B=$'\e[1m' DIM=$'\e[2m' GREEN=$'\e[32m' RED=$'\e[31m' CYAN=$'\e[36m' R=$'\e[0m'
else
  B='' DIM='' GREEN='' RED='' CYAN='' R=''
fi
say() { printf '%s\n' "$*"; }
note() { printf '%s%s%s\n' "$DIM" "$*" "$R"; }
die() { printf '%sdemo: %s%s\n' "$RED" "$*" "$R" >&2; exit 3; }

# ------------------------------------------------------------------------------ clean-up first
DEMO="$(mktemp -d "${TMPDIR:-/tmp}/surestep-demo.XXXXXX")"
SUPERVISORS=()
BACKGROUND=()
cleanup() {
  local rc=$? pid i
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Closing the lifeline is EOF on every supervisor's stdin: each kills its server's group.
  exec 3>&- 2>/dev/null || true
  for pid in "${SUPERVISORS[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$DEMO"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ------------------------------------------------------------------------- peers and surestep
missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
[[ -x "$PEERS/venv-moto/bin/moto_server" ]] || missing+=(moto)
[[ -x "$PEERS/venv-pypiserver/bin/pypi-server" ]] || missing+=(pypiserver)
command -v curl >/dev/null || missing+=(curl)
command -v git >/dev/null || missing+=(git)
if ((${#missing[@]})); then
  say "${B}Installing the local servers (first run only): ${missing[*]}${R}"
  bash "$ROOT/scripts/services.sh" install
fi
[[ -d "$FIXTURES" ]] || die "no fixture wheels at $FIXTURES (set SURESTEP_FIXTURES to the markupsafe-3.0.3 wheel directory)"

if [[ -n "${SURESTEP_BIN:-}" ]]; then
  BIN="$SURESTEP_BIN"
else
  say "${B}Building surestep${R}"
  say "${CYAN}\$ cargo build --locked${R}"
  (cd "$ROOT" && cargo build --locked) 3>&-
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/surestep"
fi
[[ -x "$BIN" ]] || die "no surestep binary at $BIN"
mkdir -p "$DEMO/bin"
ln -s "$BIN" "$DEMO/bin/surestep"
export PATH="$DEMO/bin:$PATH"

# ---------------------------------------------------------------------------- private servers
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The lifeline: this shell holds the only writer of a FIFO that every supervisor reads as its
# stdin. When the shell exits, however it exits, the supervisors read EOF and stop their servers.
mkfifo "$DEMO/lifeline"
exec 3<>"$DEMO/lifeline"

# serve NAME PORT CMD... : start CMD under supervise.py (own process group), log in $DEMO.
serve() {
  local name="$1" port="$2"; shift 2
  "$PYTHON" "$ROOT/scripts/peers/supervise.py" --pidfile "$DEMO/$name.pid" --grace 3 -- "$@" \
    <"$DEMO/lifeline" >"$DEMO/$name.log" 2>&1 3>&- &
  SUPERVISORS+=($!)
  eval "PORT_${name//-/_}=$port"
}

# ready NAME URL : wait (up to 60 s) until URL answers; show the log if the server died.
ready() {
  local name="$1" url="$2" i
  for ((i = 0; i < 600; i++)); do
    curl -s -o /dev/null -m 1 "$url" 3>&- && return 0
    if [[ -f "$DEMO/$name.pid" ]] && ! kill -0 "$(cat "$DEMO/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  tail -n 20 "$DEMO/$name.log" >&2 || true
  die "$name did not start (log above)"
}

say "${B}Starting private servers on 127.0.0.1${R} ${DIM}(work dir $DEMO)${R}"
P=$(free_port)
cat >"$DEMO/registry.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $DEMO/registry-data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$P
  secret: not-a-secret-demo-only
YML
serve registry "$P" docker-registry serve "$DEMO/registry.yml"

P=$(free_port)
mkdir -p "$DEMO/packages"
"$PEERS/venv-pypiserver/bin/python" -c 'import sys
from passlib.apache import HtpasswdFile
h = HtpasswdFile(sys.argv[1], new=True); h.set_password("tester", "secret"); h.save()' "$DEMO/htpasswd"
serve pypiserver "$P" "$PEERS/venv-pypiserver/bin/pypi-server" run -i 127.0.0.1 -p "$P" \
  -a update -P "$DEMO/htpasswd" --disable-fallback --hash-algo sha256 "$DEMO/packages"

P=$(free_port)
serve moto "$P" "$PEERS/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$P"

REGISTRY="127.0.0.1:$PORT_registry"
PYPI="http://127.0.0.1:$PORT_pypiserver"
S3="http://127.0.0.1:$PORT_moto"
ready registry "http://$REGISTRY/v2/"
ready pypiserver "$PYPI/health"
ready moto "$S3/"
for name in registry pypiserver moto; do
  port_var="PORT_$name"
  printf '  %-11s 127.0.0.1:%-6s pid %s\n' "$name" "${!port_var}" "$(cat "$DEMO/$name.pid")"
done

# ------------------------------------------------------------------------------------- steps
SUMMARY=()
FAILED=0

# step EXPECTED_EXIT "why" CMD... : print the command, run it, compare its exit code.
step() {
  local want="$1" why="$2"; shift 2
  local shown='' a t0 rc=0
  for a in "$@"; do
    if [[ "$a" =~ ^[][A-Za-z0-9_./:=,@%+*-]+$ ]]; then shown+="$a "; else shown+="$(printf '%q' "$a") "; fi
  done
  say ""
  say "${B}▶ ${why}${R}"
  say "${CYAN}\$ ${shown% }${R}"
  t0=$(date +%s%N)
  "$@" 3>&- || rc=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  local mark
  if [[ "$rc" == "$want" ]]; then
    mark="${GREEN}ok${R}"
  else
    mark="${RED}UNEXPECTED${R}"
    FAILED=1
  fi
  say "${DIM}→ exit ${rc} (expected ${want}), $(printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100))) s${R}"
  SUMMARY+=("$(printf '%-52s exit %s (expected %s)  %s' "$why" "$rc" "$want" "$mark")")
}

# -- a project with a release tag
PROJECT="$DEMO/markupsafe"
mkdir -p "$PROJECT/dist"
cd "$PROJECT"
export GIT_AUTHOR_NAME=release-bot GIT_AUTHOR_EMAIL=release-bot@example.invalid
export GIT_COMMITTER_NAME=release-bot GIT_COMMITTER_EMAIL=release-bot@example.invalid
git init -q -b main
printf '[project]\nname = "MarkupSafe"\nversion = "%s"\n' "$VERSION" >pyproject.toml
printf 'dist/\n' >.gitignore
git add pyproject.toml .gitignore
git commit -q -m "Release $VERSION"
git tag -a "v$VERSION" -m "MarkupSafe $VERSION"
SHA="$(git rev-parse HEAD)"
cp "$FIXTURES"/*.whl "$FIXTURES"/*.tar.gz dist/
chmod u+w dist/*
say ""
say "${B}A throw-away repo${R} $PROJECT: commit ${SHA:0:12} tagged v$VERSION, dist/ holds"
say "MarkupSafe $VERSION as published on PyPI: $(ls dist/*.whl | wc -l) wheels (CPython 3.10–3.14 × manylinux x86_64/aarch64) and the sdist."

step 0 "Which release is this commit?" \
  surestep check-tag --require --version-file pyproject.toml

step 0 "Are the wheels complete and intact?" \
  surestep verify-wheels dist --from-tag "v$VERSION" --python 3.10,3.11,3.12,3.13,3.14 \
  --platform manylinux_x86_64,manylinux_aarch64 --sdist --write-checksums "$DEMO/SHA256SUMS"

# The cache race of the seed story: one wheel cut short while it was being uploaded.
mkdir -p "$DEMO/dist-broken"
cp dist/* "$DEMO/dist-broken/"
chmod u+w "$DEMO"/dist-broken/*
broken="$(ls "$DEMO"/dist-broken/*cp312*x86_64*.whl)"
truncate -s 20000 "$broken"
rm "$DEMO"/dist-broken/*cp313*aarch64*.whl
say ""
note "(a copy of dist/ with one wheel truncated and one missing, as when the artifact cache is cleaned mid-upload)"
step 1 "...and would it catch a broken artifact?" \
  surestep verify-wheels "$DEMO/dist-broken" --from-tag "v$VERSION" --python 3.10,3.11,3.12,3.13,3.14 \
  --platform manylinux_x86_64,manylinux_aarch64 --sdist

export TWINE_USERNAME=tester TWINE_PASSWORD=secret
say ""
note "(the index credentials come from the environment: TWINE_USERNAME=tester TWINE_PASSWORD=…)"
step 0 "Publish to the index" \
  surestep publish dist --repository-url "$PYPI/" --check-url "$PYPI/simple/" \
  --manifest "$DEMO/SHA256SUMS" --trusted-publishing never
step 0 "Publish again (a re-run): nothing to upload" \
  surestep publish dist --repository-url "$PYPI/" --check-url "$PYPI/simple/" \
  --manifest "$DEMO/SHA256SUMS" --trusted-publishing never
ON_INDEX="$(ls "$DEMO/packages" | wc -l)"
note "(the index's directory holds $ON_INDEX files)"

# -- the image: yesterday's build is on :latest, this commit's build arrives while we wait
OLD_SHA=0123456789abcdef0123456789abcdef01234567
"$PYTHON" "$ROOT/scripts/peers/push_image.py" "$REGISTRY" demo/app latest "$OLD_SHA" \
  --platform linux/amd64,linux/arm64 >/dev/null 3>&-
say ""
note "($REGISTRY/demo/app:latest serves yesterday's build, revision ${OLD_SHA:0:12}; this commit's"
note " build for linux/amd64 and linux/arm64 is pushed in the background in 3 s)"
(sleep 3 && "$PYTHON" "$ROOT/scripts/peers/push_image.py" "$REGISTRY" demo/app latest "$SHA" \
  --platform linux/amd64,linux/arm64 >"$DEMO/pushed.digest") 3>&- &
BACKGROUND+=($!)
step 0 "Wait until the registry serves this commit's image" \
  surestep wait-for-image "$REGISTRY/demo/app:latest" --revision "$SHA" \
  --platform linux/amd64,linux/arm64 --timeout 60s --interval 500ms
wait "${BACKGROUND[@]}" 2>/dev/null || true
BACKGROUND=()

# -- Terraform state lock left behind by a crashed apply
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
s3() {  # s3 METHOD PATH [curl args...]: a SigV4-signed request to moto, prints the HTTP status
  local method="$1" path="$2"; shift 2
  curl -sS -o "$DEMO/s3.out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    -X "$method" "$@" "$S3$path" 3>&-
}
[[ "$(s3 PUT /tfstate)" == 200 ]] || die "creating bucket tfstate on moto failed: $(cat "$DEMO/s3.out")"
LOCK_ID="$("$PYTHON" -c 'import uuid; print(uuid.uuid4())')"
CREATED="$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%S.%NZ)"
printf '{"ID":"%s","Operation":"OperationTypeApply","Info":"","Who":"runner@ci-runner-7","Version":"1.11.2","Created":"%s","Path":"tfstate/prod/terraform.tfstate"}' \
  "$LOCK_ID" "$CREATED" >"$DEMO/lock.json"
# As Terraform (use_lockfile = true) takes the lock: PutObject If-None-Match: *.
code="$(s3 PUT /tfstate/prod/terraform.tfstate.tflock -H 'If-None-Match: *' \
  -H 'Content-Type: application/json' --data-binary @"$DEMO/lock.json")"
[[ "$code" == 200 ]] || die "writing the lock failed ($code): $(cat "$DEMO/s3.out")"
say ""
note "(three hours ago a terraform apply took s3://tfstate/prod/terraform.tfstate's lock and crashed;"
note " the next apply's PutObject If-None-Match: * gets HTTP $(s3 PUT /tfstate/prod/terraform.tfstate.tflock \
  -H 'If-None-Match: *' --data-binary '{}') PreconditionFailed)"
S3FLAGS=(--endpoint-url "$S3" --path-style)
step 1 "Is the state locked? (a pre-deploy check)" \
  surestep lock status s3://tfstate/prod/terraform.tfstate --stale-after 2h --fail-if-locked "${S3FLAGS[@]}"
step 0 "Remove that lock, and only that one, by its ID" \
  surestep lock unlock s3://tfstate/prod/terraform.tfstate --lock-id "$LOCK_ID" "${S3FLAGS[@]}"
step 0 "The next deploy may go" \
  surestep lock status s3://tfstate/prod/terraform.tfstate --fail-if-locked "${S3FLAGS[@]}"

# --------------------------------------------------------------------------------- summary
say ""
say "${B}Summary${R} ($((SECONDS - T_START)) s)"
for line in "${SUMMARY[@]}"; do say "  $line"; done
say "  index: $ON_INDEX files of MarkupSafe $VERSION on pypiserver, each uploaded once"
say "  image: $REGISTRY/demo/app@$(cat "$DEMO/pushed.digest" 2>/dev/null || echo '?') is revision ${SHA:0:12}"
say "Stopping the servers; nothing is left running."
if ((FAILED)); then
  say "${RED}Some step did not give the expected exit code (see above).${R}"
  exit 1
fi

#!/usr/bin/env bash
# Builds surestep's wheel and sdist with maturin (pyproject.toml, `bindings = "bin"`).
#
#   bash scripts/build-wheel.sh [--out DIR] [--profile PROFILE] [--no-sdist]
#
# On x86_64 Linux the wheel is tagged manylinux2014_x86_64: maturin links with zig against
# glibc 2.17, and this script then checks with `objdump -T` that the binary needs no newer
# glibc symbol. Elsewhere it is a plain `maturin build` for the host.
#
#   --out DIR          where the wheel and sdist go (default: dist)
#   --profile NAME     cargo profile (default: release, stripped; the tests use wheel-test)
#   --no-sdist         build only the wheel
#
# Cargo builds in target/wheel (SURESTEP_WHEEL_TARGET_DIR), apart from the everyday
# target/debug, so each is reused on its own. maturin and ziglang come from the venv-wheel
# peer venv (`bash scripts/services.sh install`) or SURESTEP_MATURIN.
#
# Prints one `wheel:`/`sdist:`/`binary:`/`glibc:` line each on stdout (path or value, bytes).
# Exit codes: 0 built; 1 the binary needs a newer glibc than its tag allows; 2 usage;
# 3 a tool is missing or the build failed.
set -euo pipefail
cd "$(dirname "$0")/.."

GLIBC_FLOOR="2.17"  # manylinux2014
out="dist" profile="release" sdist=1
usage() { echo "usage: $0 [--out DIR] [--profile PROFILE] [--no-sdist]" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --out) [[ $# -ge 2 ]] || usage; out="$2"; shift 2 ;;
    --profile) [[ $# -ge 2 ]] || usage; profile="$2"; shift 2 ;;
    --no-sdist) sdist=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-wheel: unknown argument: $1" >&2; usage ;;
  esac
done

log() { printf '[build-wheel] %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 3; }

PEERS="${SURESTEP_PEERS:-$HOME/.cache/surestep-peers}"
venv="$PEERS/venv-wheel"
maturin="${SURESTEP_MATURIN:-$venv/bin/maturin}"
[[ -x "$maturin" ]] || fail "maturin not found at $maturin: run 'bash scripts/services.sh install'"
# maturin finds zig as `python -m ziglang` next to itself.
export PATH="$(dirname "$maturin"):$PATH"
target_dir="${SURESTEP_WHEEL_TARGET_DIR:-$PWD/target/wheel}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)"
[[ -n "$version" ]] || fail "no version in Cargo.toml"

args=(build --locked --profile "$profile" --target-dir "$target_dir" --out "$out" --strip)
linux_x86_64=0
if [[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]]; then
  linux_x86_64=1
  args+=(--zig --target x86_64-unknown-linux-gnu --compatibility manylinux2014)
fi

# Leave no older build of this version behind for the checks below to pick up.
rm -f "$out"/surestep-"$version"-*.whl "$out"/surestep-"$version".tar.gz
log "maturin ${args[*]}"
t0=$SECONDS
"$maturin" "${args[@]}" >&2 || fail "maturin build failed"
log "wheel built in $((SECONDS - t0)) s"
if ((sdist)); then
  "$maturin" sdist --out "$out" >&2 || fail "maturin sdist failed"
fi

shopt -s nullglob
wheels=("$out"/surestep-"$version"-*.whl)
((${#wheels[@]} == 1)) || fail "expected one surestep $version wheel in $out, found ${#wheels[@]}"
wheel="${wheels[0]}"
bytes() { wc -c <"$1" | tr -d ' '; }
echo "wheel: $wheel $(bytes "$wheel")"
if ((sdist)); then
  [[ -f "$out/surestep-$version.tar.gz" ]] || fail "maturin sdist wrote no $out/surestep-$version.tar.gz"
  echo "sdist: $out/surestep-$version.tar.gz $(bytes "$out/surestep-$version.tar.gz")"
fi

# The binary inside the wheel, and the newest glibc symbol version it needs.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$wheel" "$tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if ".data/scripts/surestep" in n]
    if len(names) != 1:
        sys.exit(f"{sys.argv[1]}: expected one .data/scripts/surestep binary, found {names}")
    with open(f"{sys.argv[2]}/surestep", "wb") as f:
        f.write(z.read(names[0]))
PY
echo "binary: $(bytes "$tmp/surestep")"
if ((linux_x86_64)); then
  command -v objdump >/dev/null || fail "objdump not found (Debian package binutils)"
  newest="$(objdump -T "$tmp/surestep" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)"
  [[ -n "$newest" ]] || fail "no GLIBC symbol versions in the binary: is it dynamically linked?"
  echo "glibc: $newest"
  if [[ "$(printf '%s\n%s\n' "$newest" "$GLIBC_FLOOR" | sort -V | tail -1)" != "$GLIBC_FLOOR" ]]; then
    log "the binary needs GLIBC_$newest, newer than the manylinux2014 floor $GLIBC_FLOOR:"
    objdump -T "$tmp/surestep" | grep -F "GLIBC_$newest" | head -20 >&2
    exit 1
  fi
fi

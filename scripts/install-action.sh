#!/usr/bin/env bash
# The install logic of the surestep GitHub Action (action.yml runs exactly this script).
#
# Installs surestep==$SURESTEP_VERSION from $SURESTEP_INDEX_URL into a private venv under
# $RUNNER_TOOL_CACHE/surestep/<version>/<arch>, adds its bin directory to $GITHUB_PATH,
# checks `surestep --version`, and writes the outputs `version` and `path` to $GITHUB_OUTPUT.
# A second use in the same job finds that version already on PATH and changes nothing; a
# later job on the same self-hosted runner reuses the complete venv.
#
#   SURESTEP_VERSION=0.1.0 SURESTEP_INDEX_URL=https://pypi.org/simple/ bash scripts/install-action.sh
#
# Runs in bash on Linux, macOS and Windows runners (Git Bash). Needs Python 3.8+ with venv.
# Exit codes: 0 installed (or already there); 2 a bad input; 3 no Python, or pip or the
# installed binary failed.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
usage_error() { printf '::error title=surestep action::%s\n' "$*"; exit 2; }
env_error() { printf '::error title=surestep action::%s\n' "$*"; exit 3; }

version="${SURESTEP_VERSION:-}"
index_url="${SURESTEP_INDEX_URL:-https://pypi.org/simple/}"
[[ -n "$index_url" ]] || index_url="https://pypi.org/simple/"

# The version goes into a pip requirement: an exact release, nothing else.
[[ -n "$version" ]] || usage_error "input 'version' is empty: give a surestep version such as 0.1.0"
[[ "$version" =~ ^v?[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$ ]] \
  || usage_error "input 'version' is not a release version: '${version//[^[:alnum:].+-]/?}'"
version="${version#v}"
[[ "$index_url" =~ ^https?://[^[:space:]]+$ ]] \
  || usage_error "input 'index-url' is not an http(s) URL"
# A mirror URL may carry credentials: keep them out of the log.
shown_url="${index_url%%\?*}"
if [[ "$index_url" =~ ^(https?://)([^/@]*)@(.*)$ ]]; then
  userinfo="${BASH_REMATCH[2]}"
  [[ "$userinfo" == *:* ]] && printf '::add-mask::%s\n' "${userinfo#*:}"
  shown_url="${BASH_REMATCH[1]}***@${BASH_REMATCH[3]%%\?*}"
fi

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN* | Windows_NT) windows=1 ;;
  *) windows=0 ;;
esac
exe=""
bindir_name="bin"
if ((windows)); then
  exe=".exe"
  bindir_name="Scripts"
fi

# Second use in the same job: this version is already on PATH. Nothing to do.
if current="$(surestep --version 2>/dev/null)" && [[ "$current" == "surestep $version" ]]; then
  where="$(command -v surestep)"
  log "surestep $version is already installed ($where): nothing to do"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'version=%s\npath=%s\n' "$version" "$(dirname "$where")" >>"$GITHUB_OUTPUT"
  fi
  exit 0
fi

tool_cache="${RUNNER_TOOL_CACHE:-}"
[[ -n "$tool_cache" ]] || env_error "RUNNER_TOOL_CACHE is not set (the runner sets it; set it to a writable directory when running this script by hand)"
if ((windows)) && command -v cygpath >/dev/null; then
  tool_cache="$(cygpath -u "$tool_cache")"
fi
case "$(uname -m)" in
  x86_64 | amd64 | AMD64) arch="x64" ;;
  aarch64 | arm64) arch="arm64" ;;
  *) arch="$(uname -m)" ;;
esac
venv="$tool_cache/surestep/$version/$arch"
complete="$tool_cache/surestep/$version/$arch.complete"
bin="$venv/$bindir_name"
surestep="$bin/surestep$exe"

if [[ -f "$complete" && -x "$surestep" ]] && [[ "$("$surestep" --version 2>/dev/null)" == "surestep $version" ]]; then
  log "surestep $version found in the tool cache ($venv)"
else
  python=""
  for candidate in python3 python py; do
    if command -v "$candidate" >/dev/null \
      && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
  [[ -n "$python" ]] || env_error "no Python 3.8+ with venv on PATH: add actions/setup-python before this action"
  rm -rf "$venv" "$complete"
  mkdir -p "$(dirname "$venv")"
  log "installing surestep==$version from $shown_url into $venv"
  # The runner's pip (22.3+: --python) installs into a venv made without pip: seconds faster
  # than bootstrapping a pip of its own into the venv.
  pip=("$bin/python$exe" -m pip)
  pip_version="$("$python" -m pip --version 2>/dev/null | sed -n 's/^pip \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')"
  if [[ -n "$pip_version" ]] && (( ${pip_version% *} > 22 || (${pip_version% *} == 22 && ${pip_version#* } >= 3) )); then
    "$python" -m venv --without-pip "$venv" || env_error "$python -m venv $venv failed"
    pip=("$python" -m pip --python "$bin/python$exe")
  else
    "$python" -m venv "$venv" || env_error "$python -m venv $venv failed"
  fi
  "${pip[@]}" install --quiet --disable-pip-version-check --no-input \
    --index-url "$index_url" "surestep==$version" \
    || env_error "pip could not install surestep==$version from the index (is the version published there?)"
  got="$("$surestep" --version 2>&1)" || env_error "the installed surestep does not run: $got"
  [[ "$got" == "surestep $version" ]] \
    || env_error "the installed surestep reports '$got', expected 'surestep $version'"
  : >"$complete"
fi

# Later steps of the job find surestep on PATH.
path_entry="$bin"
if ((windows)) && command -v cygpath >/dev/null; then
  path_entry="$(cygpath -w "$bin")"
fi
if [[ -n "${GITHUB_PATH:-}" ]]; then
  printf '%s\n' "$path_entry" >>"$GITHUB_PATH"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  printf 'version=%s\npath=%s\n' "$version" "$path_entry" >>"$GITHUB_OUTPUT"
fi
log "surestep $version ready: $surestep"

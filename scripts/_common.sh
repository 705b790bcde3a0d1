# Shared by scripts/run and scripts/test (sourced, not run). Both must work on a fresh
# Debian machine with Python 3.11, as root and with no standard input (CI runs them so).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

_apt_updated=""

# apt_install PACKAGE...: install Debian packages non-interactively, after one `apt-get update`.
apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "installing $* needs root: run as root or install them yourself"
    sudo=(sudo -n)
  fi
  if [ -z "$_apt_updated" ]; then
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    _apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# ensure_system_packages "PATH-GLOB PACKAGE..." ...: apt-get install the packages of every
# entry whose path glob matches no file (one apt-get run for all of them).
ensure_system_packages() {
  local entry probe packages names missing=()
  for entry in "$@"; do
    read -r probe packages <<<"$entry"
    if ! compgen -G "$probe" >/dev/null; then
      read -r -a names <<<"$packages"
      missing+=("${names[@]}")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]} (apt-get, about a minute)"
  apt_install "${missing[@]}"
}

_python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

# ensure_venv: create .venv with Python >= 3.11 unless a working one is there.
ensure_venv() {
  if [ -x "$PY" ] && _python_ok "$PY"; then
    return 0
  fi
  local python="" candidate
  for candidate in ${PYTHON:-} python3.11 python3; do
    if command -v "$candidate" >/dev/null && _python_ok "$candidate"; then python=$candidate; break; fi
  done
  [ -n "$python" ] || die "SPECTRUM ERM needs Python 3.11 or newer: apt-get install python3 (or set PYTHON)"
  if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    # Debian ships venv and ensurepip separately from the interpreter.
    say "installing python3-venv (Debian's venv support)"
    apt_install python3-venv
  fi
  say "creating .venv with $("$python" --version 2>&1)"
  "$python" -m venv --clear "$VENV" || die "could not create $VENV"
}

# contrib_dirs: the addon distributions under addons_contrib/ (one folder each, with a pyproject.toml).
contrib_dirs() {
  local dir
  for dir in "$ROOT"/addons_contrib/*/; do
    [ -f "${dir}pyproject.toml" ] && printf '%s\n' "${dir%/}"
  done
  return 0
}

# install_project TARGET: pip-install TARGET ('.' or '.[test]') and every contrib distribution,
# editable, in one pip run so a contrib's requirement on spectrum-erm is met by this checkout.
install_project() {
  local dir args=(-e "$1") names=(spectrum-erm)
  while IFS= read -r dir; do
    args+=(-e "$dir")
    names+=("addons_contrib/$(basename "$dir")")
  done < <(contrib_dirs)
  local log="$VENV/pip-install.log"
  say "installing ${names[*]} into .venv (pip; the first time takes a minute; log: .venv/pip-install.log)"
  if ! (cd "$ROOT" && "$PY" -m pip install --disable-pip-version-check "${args[@]}") >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "pip install failed: the end of .venv/pip-install.log is above"
  fi
}

#!/usr/bin/env bash
# Lini's one entry point for people and CI. Each command sets up what it needs first.
#
#   ./dev.sh demo [lini demo options]   install, migrate, load regions, demo accounts, serve :8000
#   ./dev.sh test [pytest options]      lint, migration check, the test suite on SQLite
#   ./dev.sh test-postgres              the suite on PostgreSQL (starts or installs a server)
#   ./dev.sh test-browser               the browser tests in headless Chromium (installs it)
#   ./dev.sh bench [name]               benchmarks in bench/
#   ./dev.sh messages                   update and compile the Indonesian translations
#
# Needs Python 3.11+ (python3-venv on Debian/Ubuntu, installed here when missing and allowed).
set -euo pipefail
cd "$(dirname "$0")"

VENV=${LINI_VENV:-.venv}
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it yourself, then run this again)"
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "please install: $* (no apt-get on this machine)"
  say "Installing $* (Debian packages)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  die "Python 3.11 or newer is required (apt-get install python3)"
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    local python; python=$(find_python)
    say "Creating $VENV with $python"
    if ! "$python" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      local version; version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt_install "python${version}-venv" || apt_install python3-venv
      "$python" -m venv "$VENV"
    fi
  fi
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    say "Installing Lini and its dependencies into $VENV"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e ".[dev]"
    touch "$VENV/.installed"
  fi
}

ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    # The production target is PostgreSQL 15 (Debian 12); newer Debians ship a newer default.
    apt_install postgresql-15 || { say "postgresql-15 is not packaged here; using the default"; apt_install postgresql; }
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "Starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not start"
  # A fresh Debian cluster wants a password over TCP: give the superuser the one the tests use.
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  apt_install chromium
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    ensure_venv
    exec "$VENV/bin/lini" demo "$@"
    ;;
  test)
    ensure_venv
    say "ruff (lint and format)"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    say "migrations are up to date"
    LINI_DEBUG=1 LINI_HOME="$(mktemp -d)" "$VENV/bin/lini" makemigrations --check --dry-run >/dev/null \
      || die "models changed without a migration: run 'lini makemigrations <app> -n <what_changed>'"
    say "tests on SQLite"
    exec "$VENV/bin/pytest" "$@"
    ;;
  test-postgres)
    ensure_venv
    ensure_postgres
    say "tests on PostgreSQL"
    LINI_DATABASE_URL=${LINI_TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres} \
      exec "$VENV/bin/pytest" "$@"
    ;;
  test-browser)
    ensure_venv
    ensure_chromium
    say "browser tests in headless Chromium"
    # Here the browser tests must run: a missing Chromium or Playwright fails instead of skipping.
    LINI_REQUIRE_BROWSER=1 exec "$VENV/bin/pytest" -m browser "$@"
    ;;
  bench)
    ensure_venv
    "$PY" -m pip install -q -e ".[dev,server,bench]"  # gunicorn and Locust for bench/load.py
    if [ $# -gt 0 ]; then exec "$PY" "bench/$1.py" "${@:2}"; fi
    for script in bench/*.py; do say "$script"; "$PY" "$script"; done
    ;;
  messages)
    ensure_venv
    (cd src/lini && LINI_DEBUG=1 LINI_HOME="$(mktemp -d)" "../../$VENV/bin/lini" makemessages -l id \
      --no-location --no-wrap --ignore 'static/*')
    command -v msgfmt >/dev/null 2>&1 || apt_install gettext
    msgfmt --check -o src/lini/locale/id/LC_MESSAGES/django.mo src/lini/locale/id/LC_MESSAGES/django.po
    ;;
  help|-h|--help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (try ./dev.sh help)"
    ;;
esac

#!/usr/bin/env bash
# Install everything Wanjia Watch needs: a virtualenv with the Python packages, the front-end
# libraries from the npm registry (copied into static/vendor, never committed, no CDN), and the
# Debian packages for Chinese text (and, with --test, Chromium for the browser tests).
# Safe to run again: it only does what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1
VENV=${VENV:-.venv}

apt_packages=(fonts-wqy-microhei)
# chromium drives the browser tests; zbar and poppler read QR codes and poster PDFs back;
# libnss3-tools' certutil makes Chromium trust the instance's authority as a phone would;
# nginx fronts the scaled mode's processes in tests/scale (the deployment guide installs it too).
# PostgreSQL and Redis: the tests' real servers (scripts/services.sh starts them when down).
[ "$with_test" = 1 ] && apt_packages+=(chromium libzbar0 poppler-utils libnss3-tools nginx-light
  postgresql redis-server)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then
      # A cluster made just now for the tests: they connect as postgres over loopback without
      # a password (WANJIA_TEST_PG), as on the CI machine.
      for hba in /etc/postgresql/*/main/pg_hba.conf; do
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
        version=$(basename "$(dirname "$(dirname "$hba")")")
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
      done
    fi
  else
    echo "warning: please install these Debian packages: ${missing[*]}" >&2
  fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
extras=""
[ "$with_test" = 1 ] && extras="[test]"
stamp="$VENV/.installed"
if [ "$with_test" = 1 ]; then
  stamp="$stamp-test"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -U pip
  "$VENV/bin/pip" install -q --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
mkdir -p static/vendor/leaflet static/vendor/socket.io static/vendor/leaflet-geoman
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
  node_modules/leaflet/dist/images static/vendor/leaflet/
cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/socket.io/
mkdir -p static/vendor/uplot  # the officer's day chart
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css static/vendor/uplot/
cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
  node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css static/vendor/leaflet-geoman/
mkdir -p static/vendor/leaflet-heat  # the hotspots' heat layer
cp node_modules/leaflet.heat/dist/leaflet-heat.js static/vendor/leaflet-heat/
echo "installed into $VENV"

#!/usr/bin/env bash
# Install everything, seed the demo community (once) and start the platform on the embedded
# default: SQLite under instance/, Socket.IO, and a Celery worker and beat in the same process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
VENV=${VENV:-.venv}
"$VENV/bin/wanjia" demo
exec "$VENV/bin/wanjia" run "$@"

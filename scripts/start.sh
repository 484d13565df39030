#!/usr/bin/env bash
# One command from a fresh clone to a running Cadre: system packages, npm packages, web build, server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
exec npm start -- "$@"

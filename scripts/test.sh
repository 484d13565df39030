#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite: system packages, PostgreSQL on loopback,
# npm packages, then `npm test` (lint, typecheck, unit, integration and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh --test
source scripts/start-postgres.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ -n "${CI:-}" ]; then npm ci --no-audit --no-fund; fi
# A real VS Code (code-server) for the extension's end-to-end test, installed outside the repo (idempotent).
bash test/e2e/editor/install-code-server.sh
# The Codex CLI, the MCP client of the MCP end-to-end test, cached in ~/.cache/cadre-bench (idempotent).
npx tsx test/support/codex-cli.ts
npm test

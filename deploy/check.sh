#!/usr/bin/env bash
# Checks the Kubernetes manifests (schemas, Cadre's least-privilege rules, kubectl apply --dry-run=client).
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx scripts/check-deploy.ts

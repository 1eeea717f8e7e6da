#!/usr/bin/env bash
# Speed benchmarks: ratios against baselines measured in the same run.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh" no-docker >/dev/null
cd "$ROOT"
exec "$PROJECT_VENV/bin/python" -m bench "$@"

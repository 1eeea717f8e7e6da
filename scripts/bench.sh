#!/usr/bin/env bash
# Speed benchmarks: the photo pipeline against baselines measured in the same run (one core),
# and, when `make up` is running, the stack: latency, a whole shoot, previews, open pages.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh" no-docker >/dev/null
cd "$ROOT"
VIVIDART_RUN_DIR="$RUN_DIR" PYTHONPATH="$ROOT/scripts:$ROOT/tests" exec "$PROJECT_VENV/bin/python" -m bench "$@"

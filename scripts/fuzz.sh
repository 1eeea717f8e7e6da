#!/usr/bin/env bash
# A long, seeded fuzz of the photo pipeline (make test runs a bounded one): tests/fuzzing.py.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/bootstrap.sh" no-docker >/dev/null
exec "$PROJECT_VENV/bin/python" "$ROOT/tests/fuzzing.py" "$@"

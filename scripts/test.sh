#!/usr/bin/env bash
# The whole test suite: unit, integration (embedded stack), end to end (compose stack, browser).
# Docker and a browser are required here, not optional: CI runs every test.
#   scripts/test.sh [pytest arguments...]
source "$(dirname "$0")/lib.sh"
docker_running || die "the tests need a running Docker engine (CI starts one: see .ci/run)"
[ -x /usr/bin/chromium ] || die "the browser tests need Debian's chromium (apt-get install chromium)"
step "bootstrap" "$ROOT/scripts/bootstrap.sh" docker
cd "$ROOT"
exec "$PROJECT_VENV/bin/python" -m pytest "$@"

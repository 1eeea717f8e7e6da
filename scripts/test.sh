#!/usr/bin/env bash
# The whole test suite: unit, integration (embedded stack), end to end (compose stack, browser).
# Docker and a browser are required here, not optional: CI runs every test. What the machine
# lacks is installed first (as root), or named.
#   scripts/test.sh [pytest arguments...]
source "$(dirname "$0")/lib.sh"
step "prerequisites" "$ROOT/scripts/prerequisites.sh" test
step "bootstrap" "$ROOT/scripts/bootstrap.sh" docker
cd "$ROOT"
exec "$PROJECT_VENV/bin/python" -m pytest "$@"

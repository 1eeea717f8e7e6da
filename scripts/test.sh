#!/usr/bin/env bash
# The whole test suite: unit, integration (embedded stack), end to end (compose stack, browser).
# Docker and a browser are required here, not optional: CI runs every test. What the machine
# lacks is installed first (as root), or named.
# Every core at work: pytest-xdist runs the integration and end-to-end suites in order on one
# worker (they share the stacks) and the unit suite on the others; parts go on beside them: the
# bootstrap's Docker part (base image, Compose plugin, images), which the end-to-end suite waits
# for; tflint and terraform-docs (built from Go), which their tests wait for; and, for the whole
# suite, the AWS rehearsal (minutes, most of them the provider's waiters asleep), whose tests read
# its result. The compose stack starts while the integration suite runs (tests/conftest.py).
#   scripts/test.sh [pytest arguments...]
source "$(dirname "$0")/lib.sh"
step "prerequisites" "$ROOT/scripts/prerequisites.sh" test
VIVIDART_SKIP_LINTERS=1 step "bootstrap" "$ROOT/scripts/bootstrap.sh" no-docker

# beside NAME VAR COMMAND...: a part run in the background, holding a lock while it runs (the
# tests that need it wait on the lock: tests/support.py part_ready); VAR names its files for them.
mkdir -p "$RUN_DIR"
parts=()
beside_the_tests() {
  local name="$1" var="$2" files="$RUN_DIR/beside-$1"; shift 2
  export "$var=$files"
  rm -f "$files.rc"
  exec 9> "$files.lock"
  flock 9
  say "the $name part, beside the tests (log: $files.log)"
  # niced: the tests come first; the parts take the cores while the tests wait on their stacks
  ( set +e; nice -n "${NICENESS:-10}" "$@" > "$files.log" 2>&1 9>&-; echo $? > "$files.rc" ) &
  parts+=("$name:$files:$!")
  exec 9>&-
}
beside_the_tests docker VIVIDART_TEST_DOCKER_PART "$ROOT/scripts/bootstrap.sh" docker-only
beside_the_tests linters VIVIDART_TEST_LINTERS_PART "$ROOT/scripts/bootstrap.sh" part linters
# not niced: it is as long as the stacks' suite, and its CPU comes in short bursts
[ $# -gt 0 ] || NICENESS=0 beside_the_tests rehearsal VIVIDART_TEST_REHEARSAL_PART "$PROJECT_VENV/bin/python" "$ROOT/scripts/rehearse_aws.py"

cd "$ROOT"
workers=$(( $(nproc) < 2 ? 2 : $(nproc) ))
set +e
"$PROJECT_VENV/bin/python" -m pytest -n "$workers" --dist loadgroup "$@"
tests=$?
failed=""
for part in "${parts[@]}"; do
  IFS=: read -r name files pid <<< "$part"
  wait "$pid"
  # its steps' times (the whole log is in the run folder)
  sed -n "s/^\(\x1b\[1m\)\?==>\(\x1b\[0m\)\? \(.*\(done in\|built\|ready in\).*\)\$/  $name part: \3/p" "$files.log" >&2
  [ "$(cat "$files.rc")" = 0 ] || { tail -30 "$files.log" >&2; failed+=" $name"; }
done
set -e
[ -z "$failed" ] || die "the part(s) beside the tests failed:$failed"
exit "$tests"

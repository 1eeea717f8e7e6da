# Shared by every script: where things are, the versions the bootstrap builds, timed steps.
# Settings (environment): VIVIDART_CACHE, VIVIDART_RUN_DIR, LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, MODE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${VIVIDART_CACHE:-$HOME/.cache/vividart}"   # toolchains, venvs, wheels: outside the repo
RUN_DIR="${VIVIDART_RUN_DIR:-$ROOT/.run}"          # this checkout's running stack: logs, state
# The deployment's outputs (no secrets): in a folder of their own, which the web app's container
# (not root) mounts and reads, whatever the run folder's own permissions.
OUTPUTS_FILE="$RUN_DIR/stack/outputs.json"
LOCALSTACK_PORT="${LOCALSTACK_PORT:-4566}"
WEB_PORT="${WEB_PORT:-8080}"
POSTGRES_PORT="${POSTGRES_PORT:-5433}"
ENDPOINT="http://127.0.0.1:${LOCALSTACK_PORT}"
WEB_URL="http://127.0.0.1:${WEB_PORT}"
COMPOSE_PROJECT="${COMPOSE_PROJECT_NAME:-vividart}"

OPENTOFU_MODULE="github.com/opentofu/opentofu@v1.10.6"
COMPOSE_MODULE="github.com/docker/compose/v2@v2.40.3"
LOCALSTACK_VERSION="2026.3.0"
# The AWS provider version is the one terraform/versions.tf pins.
AWS_PROVIDER_VERSION="$(sed -n 's/.*version *= *"= *\([0-9.]*\)".*/\1/p' "$ROOT/terraform/versions.tf")"
PUBLIC_BASE_IMAGE="python:3.13-slim-trixie"
LOCAL_BASE_IMAGE="vividart/base:trixie"
WEB_IMAGE="vividart/web:local"
DATABASE_IMAGE="vividart/postgres:local"
LOCALSTACK_IMAGE="vividart/localstack:${LOCALSTACK_VERSION}"

PROJECT_VENV="$CACHE/venv-project"
LOCALSTACK_VENV="$CACHE/venv-localstack"
CHECKOV_VENV="$CACHE/venv-checkov"  # the policy scanner, apart: its dependencies pin their own versions
export PATH="$CACHE/bin:$PATH"
# LocalStack's keys, unless the script talks to real AWS (REAL_AWS=1 before sourcing this): there
# the SDK's own chain finds the profile, SSO or the CodeBuild role.
[ -n "${REAL_AWS:-}" ] || export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# step NAME COMMAND...: run one timed step, print how long it took.
step() {
  local name="$1"; shift
  local started=$SECONDS
  say "$name"
  "$@"
  say "$name: done in $((SECONDS - started)) s"
}

# stamp_ok NAME INPUT...: true when NAME was built from exactly these inputs (files or strings).
inputs_hash() { for i in "$@"; do if [ -f "$i" ]; then cat "$i"; else printf '%s' "$i"; fi; done | sha256sum | cut -c1-16; }
stamp_ok() { local n="$1"; shift; [ -f "$CACHE/stamps/$n" ] && [ "$(cat "$CACHE/stamps/$n")" = "$(inputs_hash "$@")" ]; }
stamp_set() { local n="$1"; shift; mkdir -p "$CACHE/stamps"; inputs_hash "$@" > "$CACHE/stamps/$n"; }

docker_running() { docker info >/dev/null 2>&1; }

# A CPython 3.13: LocalStack's core needs it. pyenv's 3.13 where present, else python3.13 on PATH.
find_python313() {
  local candidate
  for candidate in "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3.13 "$(command -v python3.13 || true)"; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys, ssl, venv; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

# tflocal with the project's terraform binary, mirror and LocalStack endpoint.
tf_tool() {  # the bootstrap's Terraform and its CLI configuration (the provider mirror)
  export TF_CMD="$(cat "$CACHE/terraform-bin")"
  export TF_CLI_CONFIG_FILE="$CACHE/terraform.rc"
  export TF_PLUGIN_CACHE_DIR= TF_IN_AUTOMATION=1
}

tf_env() {  # ... pointed at the local stack (tflocal)
  tf_tool
  export AWS_ENDPOINT_URL="$ENDPOINT" S3_HOSTNAME=127.0.0.1 DISABLE_DEPRECATION_NOTICE=1
}

# source_hash PATH...: a short hash of the files under PATH... (repo-relative), build leftovers aside.
source_hash() {
  (cd "$ROOT" && find "$@" -type f ! -path '*/__pycache__/*' ! -path '*.egg-info*' ! -path '*/build/*' \
    ! -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}

# The processor image is tagged with a hash of its code, so a code change reaches Lambda as a
# new image URI (new execution environments), in both modes.
PROCESSOR_REPOSITORY=vividart/photo-processor
processor_image_uri() {
  local hash
  hash="$(source_hash lambda_image services/photo_jobs)"
  echo "$PROCESSOR_REPOSITORY:src-$hash"
}

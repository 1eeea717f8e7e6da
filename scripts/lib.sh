# Shared by every script: where things are, the versions the bootstrap builds, timed steps.
# Settings (environment): VIVIDART_CACHE, VIVIDART_RUN_DIR, LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, MODE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${VIVIDART_CACHE:-$HOME/.cache/vividart}"   # toolchains, venvs, wheels: outside the repo
RUN_DIR="${VIVIDART_RUN_DIR:-$ROOT/.run}"          # this checkout's running stack: logs, state
# The deployment's outputs (no secrets): in a folder of their own, which the web app's container
# (not root) mounts and reads, whatever the run folder's own permissions.
OUTPUTS_FILE="$RUN_DIR/stack/outputs.json"
# The local stack's Terraform state: in scripts/deploy.sh's work copy of terraform/environments/local.
LOCAL_STATE="$RUN_DIR/terraform/environments/local/terraform.tfstate"
LOCALSTACK_PORT="${LOCALSTACK_PORT:-4566}"
WEB_PORT="${WEB_PORT:-8080}"
WEB_HTTPS_PORT="${WEB_HTTPS_PORT:-8443}"
POSTGRES_PORT="${POSTGRES_PORT:-5433}"
ENDPOINT="http://127.0.0.1:${LOCALSTACK_PORT}"
# HTTPS=1: the web app behind a TLS proxy set as AWS's load balancer is; a stack started so stays
# so for the scripts that follow (its run folder says it).
HTTPS_DIR="$RUN_DIR/https"
HTTPS="${HTTPS:-$(cat "$HTTPS_DIR/enabled" 2>/dev/null || true)}"
[ "$HTTPS" = 0 ] && HTTPS=""
APP_URL="http://127.0.0.1:${WEB_PORT}"  # the app itself (behind the proxy with HTTPS=1)
if [ -n "$HTTPS" ]; then WEB_URL="https://127.0.0.1:${WEB_HTTPS_PORT}"; else WEB_URL="$APP_URL"; fi
COMPOSE_PROJECT="${COMPOSE_PROJECT_NAME:-vividart}"

OPENTOFU_MODULE="github.com/opentofu/opentofu@v1.10.6"
# The Terraform linter and documenter make test runs (tests/unit/test_terraform.py), built from their Go modules.
TFLINT_MODULE="github.com/terraform-linters/tflint@v0.61.0"
TERRAFORM_DOCS_MODULE="github.com/terraform-docs/terraform-docs@v0.20.0"
# The Compose v2 plugin: Debian 13's package, taken from the base image's archive (seconds; a build
# from its Go module took minutes).
COMPOSE_PACKAGE="docker-compose"
LOCALSTACK_VERSION="2026.3.0"
# The AWS provider version is the one every root pins (the local composition's, read here).
AWS_PROVIDER_VERSION="$(sed -n 's/.*version *= *"= *\([0-9.]*\)".*/\1/p' "$ROOT/terraform/environments/local/versions.tf")"
PUBLIC_BASE_IMAGE="python:3.13-slim-trixie"
LOCAL_BASE_IMAGE="vividart/base:trixie"
# VIVIDART_IMAGE_TAG names this checkout's images apart from another's on the same engine.
IMAGE_TAG="${VIVIDART_IMAGE_TAG:-local}"
WEB_IMAGE="vividart/web:$IMAGE_TAG"
DATABASE_IMAGE="vividart/postgres:$IMAGE_TAG"
PROXY_IMAGE="vividart/proxy:$IMAGE_TAG"
LOCALSTACK_IMAGE="vividart/localstack:${LOCALSTACK_VERSION}${VIVIDART_IMAGE_TAG:+-$VIVIDART_IMAGE_TAG}"
export VIVIDART_WEB_IMAGE="$WEB_IMAGE" VIVIDART_DATABASE_IMAGE="$DATABASE_IMAGE" VIVIDART_LOCALSTACK_IMAGE="$LOCALSTACK_IMAGE" \
  VIVIDART_PROXY_IMAGE="$PROXY_IMAGE"

PROJECT_VENV="$CACHE/venv-project"
LOCALSTACK_VENV="$CACHE/venv-localstack"
CHECKOV_VENV="$CACHE/venv-checkov"  # the policy scanner, apart: its dependencies pin their own versions
MOTO_VENV="$CACHE/venv-moto"        # the AWS API emulator of the rehearsal (scripts/rehearse_aws.py), apart too
# uv fills every environment from the lock files (scripts/locks.py); pip installs only uv itself,
# into a folder of its own (--target: no environment to make first).
UV_VERSION="0.13.8"
PACKAGING_VERSION="26.3"  # scripts/locks.py reads requirements with it, before any other environment exists
UV_TOOL="$CACHE/uv-tool"
UV="$UV_TOOL/bin/uv"
# Every download is cached in the project's cache folder, so that an empty one is a bare machine.
export UV_CACHE_DIR="$CACHE/uv" UV_PYTHON_DOWNLOADS=never UV_SYSTEM_CERTS=1 npm_config_cache="$CACHE/npm" \
  GOCACHE="$CACHE/go/build" GOMODCACHE="$CACHE/go/mod" GOFLAGS=-modcacherw
# Docker finds its CLI plugins here: the Compose plugin lives in the cache, not in ~/.docker (which
# other checkouts share); the user's own settings (contexts, logins) are linked in once.
export DOCKER_CONFIG="$CACHE/docker"
if [ ! -d "$DOCKER_CONFIG" ]; then
  mkdir -p "$DOCKER_CONFIG/cli-plugins"
  for item in config.json contexts; do [ ! -e "$HOME/.docker/$item" ] || ln -s "$HOME/.docker/$item" "$DOCKER_CONFIG/$item"; done
fi
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

# Steps side by side: `beside NAME COMMAND...` starts a timed step in the background; `together`
# waits for every one started so far and fails, naming them, if any did.
_beside_pids=() _beside_names=()
beside() {
  local name="$1"; shift
  ( _beside_pids=() _beside_names=(); step "$name" "$@" ) &
  _beside_pids+=($!) _beside_names+=("$name")
}
together() {
  local i failed=()
  for i in "${!_beside_pids[@]}"; do wait "${_beside_pids[$i]}" || failed+=("${_beside_names[$i]}"); done
  _beside_pids=() _beside_names=()
  [ "${#failed[@]}" -eq 0 ] || die "failed: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')"
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

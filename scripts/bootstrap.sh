#!/usr/bin/env bash
# Prepare everything the local stack needs, once: Python environments, Terraform, Docker images.
# Idempotent: later runs check stamps in the cache and take seconds. Every step is timed.
# Steps that do not depend on each other run side by side, each printing its own time.
#   scripts/bootstrap.sh [docker|no-docker]   (default: images only when a Docker engine answers)
#   scripts/bootstrap.sh docker-only          the Compose plugin and the images (make test runs it beside the suites)
#   scripts/bootstrap.sh lock [--upgrade]     relock the Python environments (make lock)
#   scripts/bootstrap.sh part NAME...         named steps side by side (uv project localstack scanners emulator linters terraform frontend)
source "$(dirname "$0")/lib.sh"
WANT="${1:-auto}"
SKIP_SCANNERS="${VIVIDART_SKIP_SCANNERS:-}"  # make up needs no scanners: their environment waits for make test
SKIP_LINTERS="${VIVIDART_SKIP_LINTERS:-$SKIP_SCANNERS}"  # make test builds them beside the suites

# uv itself, from PyPI by pip (the one thing pip installs), with `packaging` for scripts/locks.py: in a
# folder of their own, by the interpreter's pip (seconds), or a venv's where it has none (Debian's).
uv_tool() {
  if ! stamp_ok uv-tool "$PY" "$UV_VERSION" "$PACKAGING_VERSION" || [ ! -x "$UV" ]; then
    local pip=("$PY" -m pip)
    rm -rf "$UV_TOOL" "$CACHE/venv-pip"
    if ! "$PY" -m pip --version >/dev/null 2>&1; then
      "$PY" -m venv "$CACHE/venv-pip" && pip=("$CACHE/venv-pip/bin/python" -m pip)
    fi
    PIP_ROOT_USER_ACTION=ignore "${pip[@]}" install -q --no-cache-dir --target "$UV_TOOL" "uv==$UV_VERSION" "packaging==$PACKAGING_VERSION"
    stamp_set uv-tool "$PY" "$UV_VERSION" "$PACKAGING_VERSION"
  fi
}

locks_py() { PYTHONPATH="$UV_TOOL" "$PY" "$ROOT/scripts/locks.py" "$@"; }
lock() { UV="$UV" VIVIDART_PYTHON="$PY" locks_py lock "$@"; }

# The lock files must say what the requirements files ask for: a developer who changed a
# requirements file gets it relocked (as `make lock` does); CI and the build server refuse.
locks_agree() {
  locks_py check && return 0
  [ -z "${CI:-}${CODEBUILD_BUILD_ID:-}" ] || die "the lock files do not agree with the requirements files (above): run make lock, and commit the locks"
  say "the requirements files changed since their locks: relocking (make lock); commit the changed .lock files"
  lock
}

# sync_env NAME VENV LOCK: VENV holds exactly what LOCK pins, from uv's cache (remade for another
# Python; synced in place, in seconds, when the lock changes).
sync_env() {
  local name="$1" venv="$2" lock="$ROOT/$3"
  if ! stamp_ok "$name-python" "$PY" || [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv" "$CACHE/stamps/$name" && "$UV" venv -q --python "$PY" "$venv"
    stamp_set "$name-python" "$PY"
  fi
  if ! stamp_ok "$name" "$lock"; then
    rm -f "$CACHE/stamps/$name-own"  # a sync removes what the lock does not name: the project's own packages
    "$UV" pip sync -q --python "$venv/bin/python" --require-hashes "$lock"
    stamp_set "$name" "$lock"
  fi
}

# own_packages NAME VENV editable|copy LOCK: the project's own packages beside LOCK's, --no-deps (the
# lock holds their dependencies). Editable ones follow the checkout that bootstrapped last: a
# second checkout sharing the cache reinstalls them (seconds), instead of running the first's code.
own_packages() {
  local name="$1" venv="$2" how="$3" lock="$4" dirs=() args=() inputs=()
  mapfile -t dirs < <(locks_py local "$lock")
  if [ "$how" = editable ]; then
    inputs=("$ROOT")
    for dir in "${dirs[@]}"; do args+=(-e "$ROOT/$dir"); inputs+=("$ROOT/$dir/pyproject.toml"); done
  else
    for dir in "${dirs[@]}"; do args+=("$ROOT/$dir"); done
    inputs=("$(source_hash "${dirs[@]}")")
  fi
  if ! stamp_ok "$name-own" "${inputs[@]}"; then
    "$UV" pip install -q --python "$venv/bin/python" --no-deps --reinstall "${args[@]}"
    stamp_set "$name-own" "${inputs[@]}"
  fi
}

project_env() {
  sync_env venv-project "$PROJECT_VENV" tests/requirements.lock
  own_packages venv-project "$PROJECT_VENV" editable tests/requirements.lock
}
localstack_env() {
  sync_env venv-localstack "$LOCALSTACK_VENV" localstack/requirements.lock
  # its plugins are copied: they change with the checkout's files, whichever checkout runs it
  own_packages venv-localstack "$LOCALSTACK_VENV" copy localstack/requirements.lock
}
scanners_env() { sync_env venv-checkov "$CHECKOV_VENV" tests/policy-requirements.lock; }
emulator_env() { sync_env venv-moto "$MOTO_VENV" tests/emulator-requirements.lock; }

python_envs() {
  uv_and_locks
  beside "project environment" project_env
  beside "LocalStack environment" localstack_env
  [ -n "$SKIP_SCANNERS" ] || beside "scanners environment" scanners_env
  [ -n "$SKIP_SCANNERS" ] || beside "emulator environment" emulator_env
  together
}

# The web app's front-end libraries, from npm (the lockfile), built into its static folder.
frontend() {
  local dir="$ROOT/services/webapp/frontend" built="$ROOT/services/webapp/webapp/static/vendor/uppy/uppy.min.js"
  local inputs=("$ROOT" "$dir/package-lock.json" "$dir/build.mjs" "$dir/uppy.js")  # built into this checkout
  command -v npm >/dev/null || die "npm is needed to build the web app's front-end libraries (apt-get install npm)"
  if ! stamp_ok frontend "${inputs[@]}" || [ ! -f "$built" ]; then
    (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2 && npm run build --silent >&2)
    stamp_set frontend "${inputs[@]}"
  fi
}

# Build a Go program from its module (the Go module proxy is reachable; release downloads are not).
go_build() {  # MODULE@VERSION PACKAGE OUTPUT
  local module="$1" package="$2" output="$3" dir src
  command -v go >/dev/null || die "Go is needed to build $module (install golang)"
  dir="$(go mod download -json "$module" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [ -n "$dir" ] || die "the Go module proxy did not serve $module"
  src="$CACHE/src/$(basename "$dir")"
  rm -rf "$src" && mkdir -p "$CACHE/src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  (cd "$src" && go build -trimpath -o "$output" "$package")
}

terraform_toolchain() {
  # A terraform or tofu the machine already has is used as it is; otherwise OpenTofu is built.
  local system_path="${PATH#"$CACHE/bin:"}" bin
  bin="$(PATH="$system_path" command -v terraform || PATH="$system_path" command -v tofu || true)"
  if [ -z "$bin" ]; then
    if ! stamp_ok tofu "$OPENTOFU_MODULE" || [ ! -x "$CACHE/bin/tofu" ]; then
      say "building OpenTofu from its Go module (one time, about 5 minutes)"
      go_build "$OPENTOFU_MODULE" ./cmd/tofu "$CACHE/bin/tofu"
      stamp_set tofu "$OPENTOFU_MODULE"
    fi
    bin="$CACHE/bin/tofu"
  fi
  echo "$bin" > "$CACHE/terraform-bin"
  # The AWS provider: from a local mirror where one exists (the registry is out of reach here),
  # else built from its Go module, else a normal init from the registry.
  local mirror="" candidate provider_dir="registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
  for candidate in "$CACHE/tf-mirror" "${VIVIDART_TF_MIRROR:-/opt/tf-plugins}"; do
    if compgen -G "$candidate/$provider_dir/terraform-provider-aws_*" >/dev/null; then mirror="$candidate"; break; fi
  done
  if [ -z "$mirror" ] && go mod download -json "github.com/hashicorp/terraform-provider-aws@v$AWS_PROVIDER_VERSION" >/dev/null 2>&1; then
    say "building the AWS provider v$AWS_PROVIDER_VERSION from its Go module (one time, long)"
    go_build "github.com/hashicorp/terraform-provider-aws@v$AWS_PROVIDER_VERSION" . \
      "$CACHE/tf-mirror/$provider_dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5"
    mirror="$CACHE/tf-mirror"
  fi
  if [ -z "$mirror" ]; then
    say "no local AWS provider $AWS_PROVIDER_VERSION: terraform init will ask the registry"
    : > "$CACHE/terraform.rc"; return
  fi
  cat > "$CACHE/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
}

# tflint (with its bundled terraform ruleset) and terraform-docs, built from their Go modules
# (once, a few minutes; cached in $CACHE/bin). Not `go install`: the proxy refuses to list
# terraform-docs' versions, which go install asks for.
terraform_linters() {
  local module binary
  for module in "$TFLINT_MODULE" "$TERRAFORM_DOCS_MODULE"; do
    binary="$(basename "${module%@*}")"
    if ! stamp_ok "$binary" "$module" || [ ! -x "$CACHE/bin/$binary" ]; then
      say "building $binary from its Go module (one time)"
      go_build "$module" . "$CACHE/bin/$binary"
      stamp_set "$binary" "$module"
    fi
  done
}

# The Compose v2 plugin: Debian 13's package, installed in a throwaway container of the base image
# (which reaches Debian's archive as the host does) and copied out into the cache's docker folder.
compose_plugin() {
  local plugin="$DOCKER_CONFIG/cli-plugins/docker-compose" base; base="$(cat "$CACHE/base-image")"
  if ! stamp_ok compose "$base" "$COMPOSE_PACKAGE" || [ ! -x "$plugin" ]; then
    docker run --rm --network host "$base" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends $COMPOSE_PACKAGE >/dev/null && cat /usr/libexec/docker/cli-plugins/docker-compose" \
      > "$plugin.new"
    chmod +x "$plugin.new" && "$plugin.new" version >&2 && mv "$plugin.new" "$plugin"
    stamp_set compose "$base" "$COMPOSE_PACKAGE"
  fi
}

# The public base image when it can be pulled; otherwise Debian 13 from debootstrap, imported.
base_image() {
  if docker image inspect "$PUBLIC_BASE_IMAGE" >/dev/null 2>&1 || timeout 60 docker pull -q "$PUBLIC_BASE_IMAGE" >/dev/null 2>&1; then
    echo "$PUBLIC_BASE_IMAGE" > "$CACHE/base-image"; return
  fi
  if ! docker image inspect "$LOCAL_BASE_IMAGE" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || die "no base image can be pulled and debootstrap is missing (apt-get install debootstrap)"
    local rootfs="$CACHE/rootfs/trixie"
    if [ ! -x "$rootfs/usr/bin/python3.13" ]; then
      rm -rf "$rootfs" && mkdir -p "$rootfs"
      debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates trixie "$rootfs" >/dev/null
    fi
    tar -C "$rootfs" -c . | docker import - "$LOCAL_BASE_IMAGE" >/dev/null
  fi
  echo "$LOCAL_BASE_IMAGE" > "$CACHE/base-image"
}

uv_and_locks() { uv_tool && locks_agree; }

# part NAME: one named step, for a caller that orders them itself (scripts/stack.sh)
part() {
  case "$1" in
    uv) step "uv and the locks" uv_and_locks ;;
    project) step "project environment" project_env ;;
    localstack) step "LocalStack environment" localstack_env ;;
    scanners) step "scanners environment" scanners_env ;;
    emulator) step "emulator environment" emulator_env ;;
    linters) step "tflint and terraform-docs" terraform_linters ;;
    terraform) step "Terraform toolchain and AWS provider $AWS_PROVIDER_VERSION" terraform_toolchain ;;
    frontend) step "front-end libraries (npm)" frontend ;;
    *) die "no such part: $1" ;;
  esac
}

PY="$(find_python313)" || die "no CPython 3.13 found. LocalStack's core needs it: 'pyenv install 3.13' or Debian 13's python3.13."
mkdir -p "$CACHE/bin" "$RUN_DIR"
case "$WANT" in
  lock) step "uv" uv_tool && lock "${@:2}" && exit 0 ;;
  part) for name in "${@:2}"; do ( part "$name" ) & _beside_pids+=($!) _beside_names+=("$name"); done; together; exit 0 ;;
  docker|no-docker|docker-only|auto) ;;
  *) die "usage: bootstrap.sh [docker|no-docker|docker-only|lock [--upgrade]|part NAME...]" ;;
esac
if [ "$WANT" = docker ] || { [ "$WANT" = auto ] && docker_running; }; then DOCKER=1; else DOCKER=""; fi
[ -z "$DOCKER" ] || docker_running || die "a Docker engine is needed but does not answer (start dockerd)"
started=$SECONDS
# Independent steps side by side; the images need the environments' locks and uv's cache filled.
if [ "$WANT" != docker-only ]; then
  beside "Python environments" python_envs
  beside "Terraform toolchain and AWS provider $AWS_PROVIDER_VERSION" terraform_toolchain
  beside "front-end libraries (npm)" frontend
  [ -n "$SKIP_LINTERS" ] || beside "tflint and terraform-docs" terraform_linters
fi
if [ -n "$DOCKER" ] || [ "$WANT" = docker-only ]; then
  [ "$WANT" = docker-only ] && step "uv" uv_tool
  beside "base image" base_image
fi
together
if [ -n "$DOCKER" ] || [ "$WANT" = docker-only ]; then
  beside "Compose plugin" compose_plugin
  beside "container images" "$ROOT/scripts/images.sh"
  together
fi
say "bootstrap ready in $((SECONDS - started)) s"

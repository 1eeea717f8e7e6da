#!/usr/bin/env bash
# Prepare everything the local stack needs, once: Python environments, Terraform, Docker images.
# Idempotent: later runs check stamps in the cache and take seconds. Every step is timed.
#   scripts/bootstrap.sh [docker|no-docker]   (default: images only when a Docker engine answers)
source "$(dirname "$0")/lib.sh"
WANT_DOCKER="${1:-auto}"

python_envs() {
  local py
  py="$(find_python313)" || die "no CPython 3.13 found. LocalStack's core needs it: 'pyenv install 3.13' or Debian 13's python3.13."
  # the pins, and the project's own packages (their entry points and dependencies)
  local project_inputs=("$py" "$ROOT/tests/requirements.txt" "$ROOT/services/webapp/requirements.txt"
                        "$ROOT/lambda_image/requirements.txt" "$ROOT"/services/*/pyproject.toml "$ROOT/lambda_image/pyproject.toml")
  if ! stamp_ok venv-project "${project_inputs[@]}"; then
    rm -rf "$PROJECT_VENV" && "$py" -m venv "$PROJECT_VENV"
    (cd "$ROOT/tests" && "$PROJECT_VENV/bin/pip" install -q -r requirements.txt)
    stamp_set venv-project "${project_inputs[@]}"
  fi
  local ls_inputs=("$py" "$ROOT/localstack/requirements.txt" "$ROOT/localstack/constraints.txt")
  if ! stamp_ok venv-localstack "${ls_inputs[@]}"; then
    rm -rf "$LOCALSTACK_VENV" && "$py" -m venv "$LOCALSTACK_VENV"
    "$LOCALSTACK_VENV/bin/pip" install -q -c "$ROOT/localstack/constraints.txt" -r "$ROOT/localstack/requirements.txt"
    stamp_set venv-localstack "${ls_inputs[@]}"
  fi
  local checkov_inputs=("$py" "$ROOT/tests/policy-requirements.txt")
  if ! stamp_ok venv-checkov "${checkov_inputs[@]}"; then
    rm -rf "$CHECKOV_VENV" && "$py" -m venv "$CHECKOV_VENV"
    "$CHECKOV_VENV/bin/pip" install -q -r "$ROOT/tests/policy-requirements.txt"
    stamp_set venv-checkov "${checkov_inputs[@]}"
  fi
  # The project's LocalStack plugins change with it: reinstalled when their files change (seconds).
  local plugins_hash; plugins_hash="$(tree_hash "$ROOT/localstack/plugins")"
  if ! stamp_ok localstack-plugins "$plugins_hash"; then
    "$LOCALSTACK_VENV/bin/pip" install -q --no-deps --force-reinstall "$ROOT/localstack/plugins"
    stamp_set localstack-plugins "$plugins_hash"
  fi
}

# The web app's front-end libraries, from npm (the lockfile), built into its static folder.
frontend() {
  local dir="$ROOT/services/webapp/frontend" built="$ROOT/services/webapp/webapp/static/vendor/uppy/uppy.min.js"
  local inputs=("$dir/package-lock.json" "$dir/build.mjs" "$dir/uppy.js")
  command -v npm >/dev/null || die "npm is needed to build the web app's front-end libraries (apt-get install npm)"
  if ! stamp_ok frontend "${inputs[@]}" || [ ! -f "$built" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2 && npm run build --silent >&2)
    stamp_set frontend "${inputs[@]}"
  fi
}

tree_hash() { (cd "$1" && find . -type f ! -path '*/__pycache__/*' ! -path '*.egg-info*' ! -path './build/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }

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

docker_toolchain() {
  if ! docker compose version >/dev/null 2>&1; then
    if ! stamp_ok compose "$COMPOSE_MODULE" || [ ! -x "$CACHE/bin/docker-compose" ]; then
      say "building the Docker Compose v2 plugin from its Go module (one time, about 3 minutes)"
      go_build "$COMPOSE_MODULE" ./cmd "$CACHE/bin/docker-compose"
      stamp_set compose "$COMPOSE_MODULE"
    fi
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -sf "$CACHE/bin/docker-compose" "$HOME/.docker/cli-plugins/docker-compose"
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

mkdir -p "$CACHE/bin" "$RUN_DIR"
started=$SECONDS
step "Python environments (project, LocalStack $LOCALSTACK_VERSION)" python_envs
step "Terraform toolchain and AWS provider $AWS_PROVIDER_VERSION" terraform_toolchain
step "front-end libraries (npm)" frontend
if [ "$WANT_DOCKER" = docker ] || { [ "$WANT_DOCKER" = auto ] && docker_running; }; then
  docker_running || die "a Docker engine is needed but does not answer (start dockerd)"
  step "Docker Compose plugin" docker_toolchain
  step "base image" base_image
  step "container images" "$ROOT/scripts/images.sh"
fi
say "bootstrap ready in $((SECONDS - started)) s"

#!/usr/bin/env bash
# Build the three container images from wheels made on the host (containers here cannot reach
# PyPI). An image is rebuilt only when its inputs change (label vividart.inputs).
source "$(dirname "$0")/lib.sh"
BASE="$(cat "$CACHE/base-image")"
export DOCKER_BUILDKIT=0  # the classic builder: no buildx on these machines

# wheelhouse PYTHON REQUIREMENTS [CONSTRAINTS] [EXTRA...]: a folder of wheels for them, cached.
wheelhouse() {
  local python="$1" requirements="$2" constraints="${3:-}"; shift 3 || shift $#
  local dir="$CACHE/wheels/$(inputs_hash "$requirements" "$constraints" "$@" "$("$python" -V)")"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$python" -m pip wheel -q -w "$dir" -r "$requirements" ${constraints:+-c "$constraints"} "$@" >&2
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# build IMAGE DOCKERFILE WHEELS PATH...: the context is PATH... from the repo plus wheels/.
build() {
  local image="$1" dockerfile="$2" wheels="$3"; shift 3
  local inputs
  inputs="$( (cd "$ROOT" && find "$@" -type f ! -path '*/__pycache__/*' ! -path '*.egg-info*' ! -path '*/build/*' -print0 | sort -z | xargs -0 sha256sum; ls "$wheels"; echo "$BASE") | sha256sum | cut -c1-16)"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "vividart.inputs" }}' "$image" 2>/dev/null)" = "$inputs" ]; then
    say "$image is up to date"; return
  fi
  say "building $image"
  tar -c -C "$ROOT" --exclude=__pycache__ --exclude='*.egg-info' --exclude=build "$@" \
      -C "$(dirname "$wheels")" --transform "s,^$(basename "$wheels"),wheels," "$(basename "$wheels")" \
    | docker build -q -t "$image" -f "$dockerfile" --build-arg "BASE_IMAGE=$BASE" --label "vividart.inputs=$inputs" - >/dev/null
}

py="$PROJECT_VENV/bin/python"
build "$(processor_image_uri)" lambda_image/Dockerfile "$(wheelhouse "$py" "$ROOT/lambda_image/requirements.txt" "")" \
  lambda_image/Dockerfile lambda_image/requirements.txt lambda_image/photo_processor services/photo_jobs
build "$WEB_IMAGE" services/Dockerfile "$(wheelhouse "$py" "$ROOT/services/requirements.txt" "")" \
  services/Dockerfile services/requirements.txt services/gunicorn.conf.py services/photo_jobs services/webapp
executor_wheels="$(wheelhouse "$LOCALSTACK_VENV/bin/python" "$ROOT/localstack/requirements.txt" "$ROOT/localstack/constraints.txt")"
# The executor changes more often than LocalStack: its wheel is built apart, next to the rest.
"$LOCALSTACK_VENV/bin/pip" wheel -q --no-deps -w "$executor_wheels" "$ROOT/localstack/executor" >/dev/null
build "$LOCALSTACK_IMAGE" localstack/Dockerfile "$executor_wheels" \
  localstack/Dockerfile localstack/requirements.txt localstack/constraints.txt localstack/executor

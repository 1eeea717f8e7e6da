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

# local_wheels PROJECT...: wheels of the project's own packages, built fresh (seconds) beside
# the cached ones of their dependencies, in a folder of their own.
local_wheels() {
  local dir="$CACHE/wheels/local-$(source_hash "$@")"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    for project in "$@"; do "$PROJECT_VENV/bin/pip" wheel -q --no-deps -w "$dir" "$ROOT/$project" >&2; done
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# build IMAGE DOCKERFILE WHEELS PATH...: the context is PATH... from the repo plus wheels/ (an
# empty folder when WHEELS is "-"). Host networking: a build that installs Debian packages
# reaches the mirror as the host does.
build() {
  local image="$1" dockerfile="$2" wheels="$3"; shift 3
  if [ "$wheels" = - ]; then wheels="$CACHE/wheels/none" && mkdir -p "$wheels"; fi
  local inputs
  inputs="$( (cd "$ROOT" && find "$@" -type f ! -path '*/__pycache__/*' ! -path '*.egg-info*' ! -path '*/build/*' -print0 | sort -z | xargs -0 sha256sum; echo "$wheels"; ls "$wheels"; echo "$BASE") | sha256sum | cut -c1-16)"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "vividart.inputs" }}' "$image" 2>/dev/null)" = "$inputs" ]; then
    say "$image is up to date"; return
  fi
  say "building $image"
  tar -c -C "$ROOT" --exclude=__pycache__ --exclude='*.egg-info' --exclude=build "$@" \
      -C "$(dirname "$wheels")" --transform "s,^$(basename "$wheels"),wheels," "$(basename "$wheels")" \
    | docker build -q --network host -t "$image" -f "$dockerfile" --build-arg "BASE_IMAGE=$BASE" \
        --label "vividart.inputs=$inputs" - >/dev/null
}

# merged DIR...: one folder holding the wheels of every DIR (hard links: instant, no copies).
merged() {
  local dir="$CACHE/wheels/merged-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
  [ -d "$dir" ] || { mkdir -p "$dir.tmp" && for d in "$@"; do cp -l "$d"/*.whl "$dir.tmp/"; done && mv "$dir.tmp" "$dir"; }
  echo "$dir"
}

py="$PROJECT_VENV/bin/python"
processor_wheels="$(merged "$(wheelhouse "$py" "$ROOT/lambda_image/requirements.txt" "")" \
  "$(local_wheels services/photo_jobs lambda_image)")"
build "$(processor_image_uri)" lambda_image/Dockerfile "$processor_wheels" lambda_image/Dockerfile lambda_image/requirements.txt
web_wheels="$(merged "$(wheelhouse "$py" "$ROOT/services/webapp/requirements.txt" "")" \
  "$(local_wheels services/photo_jobs services/webapp)")"
build "$WEB_IMAGE" services/webapp/Dockerfile "$web_wheels" services/webapp/Dockerfile services/webapp/requirements.txt \
  services/webapp/gunicorn.conf.py
build "$DATABASE_IMAGE" services/database/Dockerfile - services/database
localstack_wheels="$(merged "$(wheelhouse "$LOCALSTACK_VENV/bin/python" "$ROOT/localstack/requirements.txt" "$ROOT/localstack/constraints.txt")" \
  "$(local_wheels localstack/plugins)")"
build "$LOCALSTACK_IMAGE" localstack/Dockerfile "$localstack_wheels" \
  localstack/Dockerfile localstack/requirements.txt localstack/constraints.txt

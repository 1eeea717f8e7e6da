#!/usr/bin/env bash
# Build the container images, side by side. Their Python environments are filled by uv on the host
# from the lock files (containers here cannot reach PyPI) and copied into a venv of the image's own
# Python. An image is rebuilt only when its inputs change (label vividart.inputs).
#   scripts/images.sh [processor|web|database|proxy|localstack]...   (default: all)
source "$(dirname "$0")/lib.sh"
BASE="$(cat "$CACHE/base-image")"
PY="$(find_python313)" || die "no CPython 3.13 found"
export DOCKER_BUILDKIT=0  # the classic builder: no buildx on these machines

# image_env NAME LOCK: a relocatable environment with LOCK's packages and the project's own (built
# from this checkout, not editable), bytecode compiled; remade when either changes. Prints its folder.
image_env() {
  local name="$1" lock="$2" dirs own dir="$CACHE/images/$1"
  mapfile -t dirs < <(PYTHONPATH="$UV_TOOL" "$PY" "$ROOT/scripts/locks.py" local "$lock")
  own="$(source_hash "${dirs[@]}")"
  if ! stamp_ok "image-$name" "$PY" "$ROOT/$lock" "$own" || [ ! -d "$dir/venv" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$UV" venv -q --relocatable --python "$PY" "$dir/venv"
    "$UV" pip sync -q --python "$dir/venv/bin/python" --require-hashes "$ROOT/$lock"
    "$UV" pip install -q --python "$dir/venv/bin/python" --no-deps --reinstall "${dirs[@]/#/$ROOT/}"
    "$dir/venv/bin/python" -m compileall -q -j 0 "$dir/venv/lib" >/dev/null  # as pip did in the image
    stamp_set "image-$name" "$PY" "$ROOT/$lock" "$own"
  fi
  echo "$dir"
}

# build IMAGE DOCKERFILE ENV PATH...: the context is PATH... from the repo, plus venv/ (ENV's
# packages and scripts, not its Python) unless ENV is "-". Host networking: a build that installs
# Debian packages reaches the mirror as the host does.
build() {
  local image="$1" dockerfile="$2" env="$3"; shift 3
  local venv=() inputs
  [ "$env" = - ] || venv=(-C "$env" --exclude='venv/bin/python*' --exclude='venv/bin/activate*' venv/bin venv/lib)
  inputs="$( (cd "$ROOT" && find "$@" -type f ! -path '*/__pycache__/*' ! -path '*.egg-info*' ! -path '*/build/*' -print0 | sort -z | xargs -0 sha256sum
              [ "$env" = - ] || cat "$CACHE/stamps/image-$(basename "$env")"; echo "$BASE") | sha256sum | cut -c1-16)"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "vividart.inputs" }}' "$image" 2>/dev/null)" = "$inputs" ]; then
    say "$image is up to date"; return
  fi
  local started=$SECONDS
  # (tar's excludes hold for the names after them: the venv keeps its compiled bytecode)
  tar -c "${venv[@]}" -C "$ROOT" --exclude=__pycache__ --exclude='*.egg-info' --exclude=build "$@" \
    | docker build -q --network host -t "$image" -f "$dockerfile" --build-arg "BASE_IMAGE=$BASE" \
        --label "vividart.inputs=$inputs" - >/dev/null
  say "built $image in $((SECONDS - started)) s"
}

processor() { build "$(processor_image_uri)" lambda_image/Dockerfile "$(image_env processor lambda_image/requirements.lock)" lambda_image/Dockerfile; }
web() {
  build "$WEB_IMAGE" services/webapp/Dockerfile "$(image_env web services/webapp/requirements.lock)" \
    services/webapp/Dockerfile services/webapp/gunicorn.conf.py
}
database() { build "$DATABASE_IMAGE" services/database/Dockerfile - services/database; }
proxy() { build "$PROXY_IMAGE" services/proxy/Dockerfile - services/proxy; }
localstack() {
  build "$LOCALSTACK_IMAGE" localstack/Dockerfile "$(image_env localstack localstack/requirements.lock)" localstack/Dockerfile
}

images=("$@")
[ "${#images[@]}" -gt 0 ] || images=(processor web database proxy localstack)
for image in "${images[@]}"; do
  case "$image" in
    processor|web|database|proxy|localstack) beside "image: $image" "$image" ;;
    *) die "no such image: $image" ;;
  esac
done
together

#!/usr/bin/env bash
# What `make test` needs from the machine itself: Debian packages and a running Docker engine.
# As root it installs what is missing and starts the engine; otherwise it names the one command
# that does. Used by `make test`, `make up` (compose mode), .ci/run and the build server.
#   scripts/prerequisites.sh [test|up]
source "$(dirname "$0")/lib.sh"
PURPOSE="${1:-test}"

# both modes: PostgreSQL (embedded mode runs it; the tests do too)
packages=(curl ca-certificates make postgresql python3-venv)
case "$PURPOSE" in
  # the tests run both modes (Docker: the engine, debootstrap for offline base images), a browser,
  # HTTPS through HAProxy (the local load balancer), and exiftool, which reads back the creator and
  # copyright every delivered file carries
  test) packages+=(docker.io debootstrap chromium haproxy libimage-exiftool-perl unzip) ;;
  # compose mode also needs a Docker engine: `make up` picks embedded mode without one
  up) [ -z "$HTTPS" ] || packages+=(haproxy) ;;
  *) die "usage: prerequisites.sh [test|up]" ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# npm builds the front-end libraries, Go builds OpenTofu where no Terraform is: whichever the machine
# has, else Debian's
command -v npm >/dev/null || missing+=(npm)
command -v terraform >/dev/null || command -v tofu >/dev/null || [ -x "$CACHE/bin/tofu" ] || command -v go >/dev/null \
  || missing+=(golang-go)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$PURPOSE" = test ] && ! docker_running; then
  if [ "$(id -u)" -ne 0 ]; then
    die "the tests need a running Docker engine; start it with: sudo dockerd &   (or: sudo systemctl start docker)"
  fi
  say "starting the Docker engine"
  mkdir -p "$CACHE"
  (setsid dockerd > "$CACHE/dockerd.log" 2>&1 &)
  for _ in $(seq 60); do docker_running && break; sleep 1; done
  docker_running || { tail -20 "$CACHE/dockerd.log" >&2; die "dockerd did not start (log: $CACHE/dockerd.log)"; }
fi

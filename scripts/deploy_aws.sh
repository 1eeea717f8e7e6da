#!/usr/bin/env bash
# Deploy one environment to AWS, or publish the images a build tested: scripts/release.py holds
# the rules (promotion by digest, the settings, the state bucket's name); this only finds its
# Python and the images built here.
#
#   ENVIRONMENT=staging|production scripts/deploy_aws.sh
#       builds both images here (scripts/bootstrap.sh docker), pushes them to the environment's
#       ECR repositories and applies. ENVIRONMENT defaults to staging.
#   ENVIRONMENT=... IMAGES_FILE=images.json scripts/deploy_aws.sh
#       deploys the images a build tested instead (the pipeline's deploy stages): each is copied
#       into the environment's repository with its digest unchanged, or the deploy stops.
#   IMAGES_FILE=build/images.json scripts/deploy_aws.sh publish
#       pushes the images built here to PUBLISH_PROCESSOR_REPOSITORY and PUBLISH_WEB_REPOSITORY,
#       tagged as tested, and names them by digest in IMAGES_FILE (the pipeline's build stage,
#       after the tests).
#
# Needs real AWS credentials (a profile, SSO, keys, or the CodeBuild project's role), Terraform,
# Docker, and the release's Python packages (the project's environment, or
# scripts/release-requirements.txt); for a deploy also the state bucket (terraform/state).
REAL_AWS=1  # lib.sh leaves the credentials to the SDK's chain
source "$(dirname "$0")/lib.sh"
ACTION="${1:-deploy}"
ENVIRONMENT="${ENVIRONMENT:-staging}"
IMAGES_FILE="${IMAGES_FILE:-}"
unset AWS_ENDPOINT_URL

PYTHON="$PROJECT_VENV/bin/python"; [ -x "$PYTHON" ] || PYTHON="$(command -v python3)" || die "python3 is needed"
release() { exec "$PYTHON" "$ROOT/scripts/release.py" "$@"; }

case "$ACTION" in
  deploy)
    if [ -n "$IMAGES_FILE" ]; then
      release deploy "$ENVIRONMENT" --images-file "$IMAGES_FILE"
    fi
    # refusals first (no network, no build), then the images built here
    "$PYTHON" "$ROOT/scripts/release.py" deploy "$ENVIRONMENT" --processor - --web - --check-only
    step "bootstrap and both images" "$ROOT/scripts/bootstrap.sh" docker
    release deploy "$ENVIRONMENT" --processor "$(processor_image_uri)" --web "$WEB_IMAGE" ;;
  publish)
    release publish --processor "$(processor_image_uri)" --web "$WEB_IMAGE" --images-file "${IMAGES_FILE:-build/images.json}" ;;
  *) die "usage: deploy_aws.sh [deploy|publish]" ;;
esac

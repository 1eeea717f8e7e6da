#!/usr/bin/env bash
# Deploy one environment to AWS: the Terraform root with the environment's S3 backend and tfvars
# (terraform/environments/), and both images by digest: the processor's (Lambda) and the web
# app's (ECS).
#
#   ENVIRONMENT=staging|production scripts/deploy_aws.sh
#       builds both images here (scripts/images.sh), pushes them to the environment's ECR
#       repositories and applies. ENVIRONMENT defaults to staging.
#   ENVIRONMENT=... IMAGES_FILE=images.json scripts/deploy_aws.sh
#       deploys the images a build named instead (the pipeline's deploy stages): each is copied
#       into the environment's repository with its digest unchanged, or the deploy stops.
#   IMAGES_FILE=build/images.json scripts/deploy_aws.sh publish
#       pushes the images built here to PUBLISH_PROCESSOR_REPOSITORY and PUBLISH_WEB_REPOSITORY
#       and names them by digest in IMAGES_FILE (the pipeline's build stage, after the tests).
#
# Needs real AWS credentials (a profile, SSO, keys, or the CodeBuild project's role), Docker,
# Terraform, the AWS CLI; for a deploy also the state bucket (terraform/state) and the
# environment's tfvars with its placeholders replaced.
REAL_AWS=1  # lib.sh leaves the credentials to the SDK's chain
source "$(dirname "$0")/lib.sh"
shopt -s inherit_errexit  # a failure inside $(...) fails the script too
ACTION="${1:-deploy}"
ENVIRONMENT="${ENVIRONMENT:-staging}"
IMAGES_FILE="${IMAGES_FILE:-}"
ENVIRONMENTS="$ROOT/terraform/environments"

# --- refusals first: none of them needs the network --------------------------------------------

case "$ACTION" in
  deploy)
    case "$ENVIRONMENT" in
      staging|production) ;;
      *) die "ENVIRONMENT must be staging or production (terraform/environments/), not '$ENVIRONMENT'" ;;
    esac ;;
  publish)
    [ -n "${PUBLISH_PROCESSOR_REPOSITORY:-}" ] && [ -n "${PUBLISH_WEB_REPOSITORY:-}" ] \
      || die "publish: set PUBLISH_PROCESSOR_REPOSITORY and PUBLISH_WEB_REPOSITORY (the pipeline's build project sets them)" ;;
  *) die "usage: deploy_aws.sh [deploy|publish]" ;;
esac
unset AWS_ENDPOINT_URL
[ "${AWS_ACCESS_KEY_ID:-}" != test ] \
  || die "set real AWS credentials (AWS_PROFILE, SSO, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role), not LocalStack's test keys"

TFVARS="$ENVIRONMENTS/$ENVIRONMENT.tfvars"
BACKEND="$ENVIRONMENTS/$ENVIRONMENT.s3.tfbackend"
# tfvar NAME FILE: a string setting of a flat .tfvars or .tfbackend file
tfvar() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$2" | tail -1; }
if [ "$ACTION" = deploy ]; then
  [ -f "$TFVARS" ] && [ -f "$BACKEND" ] || die "missing $TFVARS or $BACKEND"
  placeholders="$(grep -nE '^[^#]*(example\.com|EDIT-ME)' "$TFVARS" || true)"
  [ -z "$placeholders" ] || die "$TFVARS still holds placeholders (the lines marked EDIT):
$placeholders"
  if [ -n "$IMAGES_FILE" ]; then
    [ -f "$IMAGES_FILE" ] || die "IMAGES_FILE $IMAGES_FILE does not exist"
    IMAGES_FILE="$(cd "$(dirname "$IMAGES_FILE")" && pwd)/$(basename "$IMAGES_FILE")"  # the deploy changes directory
  fi
fi

# --- tools: the bootstrap's where it ran (a laptop), else the machine's (CodeBuild) -------------

AWS="$PROJECT_VENV/bin/aws"; [ -x "$AWS" ] || AWS="$(command -v aws)" || die "the AWS CLI is needed"
command -v docker >/dev/null || die "Docker is needed"
command -v python3 >/dev/null || die "python3 is needed"

ecr_login() {  # IMAGE_OR_REPOSITORY: sign Docker in to its registry
  local registry="${1%%/*}"
  "$AWS" ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$registry" >/dev/null
}

digest_in() {  # REPOSITORY_URL IMAGE_ID (imageTag=... or imageDigest=...): its digest there, or nothing
  local found
  found="$("$AWS" ecr describe-images --region "$REGION" --repository-name "${1#*/}" --image-ids "$2" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null)" || return 0
  [[ "$found" == sha256:* ]] && echo "$found" || true
}

push() {  # LOCAL_IMAGE REPOSITORY_URL: the image in the repository; prints REPOSITORY_URL@sha256:...
  local image="$1" repository="$2" id tag digest
  id="$(docker image inspect -f '{{.Id}}' "$image")" || die "no image $image here (scripts/images.sh builds it)"
  # Tagged by the image's own ID: the same image pushed again is found, not refused (immutable tags).
  tag="id-$(printf '%s' "${id#sha256:}" | cut -c1-16)"
  digest="$(digest_in "$repository" "imageTag=$tag")"
  if [ -z "$digest" ]; then
    say "pushing $image to $repository:$tag"
    docker tag "$image" "$repository:$tag"
    docker push -q "$repository:$tag" >&2
    digest="$(digest_in "$repository" "imageTag=$tag")"
  fi
  [ -n "$digest" ] || die "$repository:$tag has no digest in ECR after the push"
  echo "$repository@$digest"
}

promote() {  # TESTED_IMAGE (repository@sha256:...) REPOSITORY_URL: the same image, the same digest, there
  local tested="$1" repository="$2" digest="${1##*@}" copied
  if [ -z "$(digest_in "$repository" "imageDigest=$digest")" ]; then
    ecr_login "$tested"
    docker pull -q "$tested" >&2
    copied="$(push "$tested" "$repository")"
    [ "${copied##*@}" = "$digest" ] \
      || die "copying $tested into $repository changed its digest to ${copied##*@}: refusing to deploy an image that was not tested"
  fi
  echo "$repository@$digest"
}

image_of() {  # FILE NAME: an image named by digest in an images file
  python3 -c 'import json, sys
uri = json.load(open(sys.argv[1]))[sys.argv[2]]
assert "@sha256:" in uri, uri
print(uri)' "$1" "$2" || die "$1 names no $2 image by digest (<repository>@sha256:...)"
}

# --- publish: the pipeline's build stage -------------------------------------------------------

if [ "$ACTION" = publish ]; then
  IMAGES_FILE="${IMAGES_FILE:-build/images.json}"
  REGION="$(printf '%s' "$PUBLISH_PROCESSOR_REPOSITORY" | sed -n 's/^[0-9]*\.dkr\.ecr\.\([a-z0-9-]*\)\.amazonaws\.com.*/\1/p')"
  [ -n "$REGION" ] || die "PUBLISH_PROCESSOR_REPOSITORY is not an ECR repository URL: $PUBLISH_PROCESSOR_REPOSITORY"
  ecr_login "$PUBLISH_PROCESSOR_REPOSITORY"
  processor="$(push "$(processor_image_uri)" "$PUBLISH_PROCESSOR_REPOSITORY")"
  web="$(push "$WEB_IMAGE" "$PUBLISH_WEB_REPOSITORY")"
  mkdir -p "$(dirname "$IMAGES_FILE")"
  printf '{\n  "processor": "%s",\n  "web": "%s"\n}\n' "$processor" "$web" > "$IMAGES_FILE"
  say "the tested images, by digest, in $IMAGES_FILE"
  cat "$IMAGES_FILE"
  exit 0
fi

# --- deploy ------------------------------------------------------------------------------------

if [ -n "$IMAGES_FILE" ]; then
  tested_processor="$(image_of "$IMAGES_FILE" processor)"
  tested_web="$(image_of "$IMAGES_FILE" web)"
fi
REGION="$(tfvar region "$TFVARS")"; REGION="${REGION:-us-east-1}"
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"
NAME="$(tfvar name "$TFVARS")"; NAME="${NAME:-vividart}"
STATE_REGION="$(tfvar region "$BACKEND")"
ACCOUNT="$("$AWS" sts get-caller-identity --query Account --output text)" \
  || die "these AWS credentials do not work (aws sts get-caller-identity failed)"
STATE_BUCKET="$NAME-tfstate-$ACCOUNT-$STATE_REGION"  # as terraform/state names it
"$AWS" s3api head-bucket --bucket "$STATE_BUCKET" --region "$STATE_REGION" >/dev/null 2>&1 \
  || die "no state bucket $STATE_BUCKET in $STATE_REGION: apply terraform/state first (README, Deploying to AWS from zero)"
say "deploying $ENVIRONMENT to account $ACCOUNT, $REGION (state: s3://$STATE_BUCKET/$(tfvar key "$BACKEND"))"

if [ -z "$IMAGES_FILE" ]; then
  step "bootstrap and both images" "$ROOT/scripts/bootstrap.sh" docker
fi
if [ -f "$CACHE/terraform-bin" ]; then
  tf_tool && TF="$TF_CMD"
else
  TF="$(command -v terraform)" || die "Terraform is needed"
  export TF_IN_AUTOMATION=1
fi

# A work copy of the root plus the S3 backend block (terraform/ itself has none: local state).
WORK="$RUN_DIR/aws-$ENVIRONMENT"
mkdir -p "$WORK" && rm -f "$WORK"/*.tf
cp "$ROOT"/terraform/*.tf "$ROOT/terraform/.terraform.lock.hcl" "$ENVIRONMENTS/backend.tf" "$WORK/"
cd "$WORK"
vars=(-var-file="$TFVARS")
"$TF" init -input=false -reconfigure -backend-config="$BACKEND" -backend-config="bucket=$STATE_BUCKET"
# The repositories first: the function and the service need their images in them.
"$TF" apply -input=false -auto-approve "${vars[@]}" -target=aws_ecr_repository.processor -target=aws_ecr_repository.web
processor_repository="$("$TF" output -raw ecr_repository_url)"
web_repository="$("$TF" output -raw web_ecr_repository_url)"
[ -n "$processor_repository" ] && [ -n "$web_repository" ] || die "no ECR repositories in the outputs (is on_aws = true in $TFVARS?)"
ecr_login "$processor_repository"
if [ -n "$IMAGES_FILE" ]; then
  processor="$(promote "$tested_processor" "$processor_repository")"
  web="$(promote "$tested_web" "$web_repository")"
else
  processor="$(push "$(processor_image_uri)" "$processor_repository")"
  web="$(push "$WEB_IMAGE" "$web_repository")"
fi
say "images: $processor, $web"
"$TF" apply -input=false -auto-approve "${vars[@]}" -var "lambda_image_uri=$processor" -var "web_image_uri=$web"
"$TF" output -json

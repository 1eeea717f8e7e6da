#!/usr/bin/env bash
# Deploy the same Terraform root and the same processor image to real AWS.
#   AWS credentials in the environment; WEB_URL: where the web app is served (hosting on AWS is
#   not in the Terraform yet); ENVIRONMENT: staging or production (default staging).
PUBLIC_WEB_URL="${WEB_URL:-}"  # read before lib.sh, which sets WEB_URL to the local stack's
source "$(dirname "$0")/lib.sh"
[ -n "$PUBLIC_WEB_URL" ] || die "set WEB_URL to the public URL of the web app (https://...)"
ENVIRONMENT="${ENVIRONMENT:-staging}"
unset AWS_ENDPOINT_URL
[ "${AWS_ACCESS_KEY_ID:-}" != test ] || die "set real AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_PROFILE)"
"$ROOT/scripts/bootstrap.sh" docker
tf_tool
TF="$TF_CMD"
WORK="$RUN_DIR/aws-$ENVIRONMENT"
mkdir -p "$WORK" && cp "$ROOT"/terraform/*.tf "$ROOT/terraform/.terraform.lock.hcl" "$WORK/"
cd "$WORK"
vars=(-var "environment=$ENVIRONMENT" -var "web_url=$PUBLIC_WEB_URL" -var "create_ecr_repository=true")
"$TF" init -input=false
# The repository first: the function needs an image in it.
"$TF" apply -input=false -auto-approve "${vars[@]}" -target=aws_ecr_repository.processor
repository="$("$TF" output -raw ecr_repository_url)"
tag="$(processor_image_uri | sed 's/.*://')"
docker tag "$(processor_image_uri)" "$repository:$tag"
"$PROJECT_VENV/bin/aws" ecr get-login-password | docker login --username AWS --password-stdin "${repository%%/*}"
docker push "$repository:$tag"
"$TF" apply -input=false -auto-approve "${vars[@]}" -var "lambda_image_uri=$repository:$tag"
"$TF" output -json

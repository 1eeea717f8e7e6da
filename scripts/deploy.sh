#!/usr/bin/env bash
# Terraform against the running local stack, through tflocal, from a work copy of terraform/.
#   scripts/deploy.sh apply     apply, then write the outputs to $RUN_DIR/outputs.json
#   scripts/deploy.sh plan      exit 0: nothing to change, 2: changes, 1: error
#   scripts/deploy.sh outputs   print the outputs as one JSON object
source "$(dirname "$0")/lib.sh"
ACTION="${1:-apply}"
WORK="$RUN_DIR/terraform"
VARS="$RUN_DIR/local.tfvars.json"

tf_env
tflocal_() { "$PROJECT_VENV/bin/tflocal" "$@"; }

prepare() {
  mkdir -p "$WORK"
  cp "$ROOT"/terraform/*.tf "$WORK/"
  [ -f "$ROOT/terraform/.terraform.lock.hcl" ] && cp "$ROOT/terraform/.terraform.lock.hcl" "$WORK/"
  cat > "$VARS" <<JSON
{
  "web_url": "$WEB_URL",
  "localstack_endpoint": "$ENDPOINT",
  "lambda_image_uri": "$(processor_image_uri)",
  "max_concurrency": $(( $(nproc) < 2 ? 2 : $(nproc) ))
}
JSON
  cd "$WORK"
  if [ ! -d .terraform ] || ! cmp -s "$ROOT/terraform/versions.tf" .terraform/versions.tf.init; then
    tflocal_ init -input=false -no-color >/dev/null
    cp "$ROOT/terraform/versions.tf" .terraform/versions.tf.init
  fi
}

outputs() {  # Terraform's outputs, and on the local stack its staff account and API token
  cd "$WORK" && "$TF_CMD" output -json | "$PROJECT_VENV/bin/python" -c '
import json, os, sys
outputs = {k: v["value"] for k, v in json.load(sys.stdin).items()}
if os.path.exists(sys.argv[1]):
    outputs.update(json.load(open(sys.argv[1])))
print(json.dumps(outputs, indent=2))' "$RUN_DIR/staff.json"
}

case "$ACTION" in
  apply)
    prepare
    tflocal_ apply -input=false -auto-approve -no-color -var-file="$VARS" > "$RUN_DIR/terraform-apply.log" \
      || { tail -40 "$RUN_DIR/terraform-apply.log" >&2; die "terraform apply failed (log: $RUN_DIR/terraform-apply.log)"; }
    outputs > "$RUN_DIR/outputs.json.tmp" && mv "$RUN_DIR/outputs.json.tmp" "$RUN_DIR/outputs.json"
    ;;
  plan)
    prepare
    set +e
    tflocal_ plan -input=false -no-color -detailed-exitcode -var-file="$VARS"
    exit $?
    ;;
  outputs)
    [ -f "$WORK/terraform.tfstate" ] || die "nothing is deployed (run make up)"
    outputs
    ;;
  *) die "usage: deploy.sh apply|plan|outputs" ;;
esac

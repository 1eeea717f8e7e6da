#!/usr/bin/env bash
# Terraform against the running local stack, through tflocal, from a work copy of terraform/.
#   scripts/deploy.sh apply     apply, then write the outputs to $OUTPUTS_FILE
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

terraform_outputs() {
  cd "$WORK" && "$TF_CMD" output -json | "$PROJECT_VENV/bin/python" -c \
    'import json,sys; print(json.dumps({k: v["value"] for k, v in json.load(sys.stdin).items()}, indent=2))'
}

outputs() {  # Terraform's outputs, and on the local stack its staff account and API token
  "$PROJECT_VENV/bin/python" -c 'import json,os,sys; o=json.load(open(sys.argv[1]))
if os.path.exists(sys.argv[2]): o.update(json.load(open(sys.argv[2])))
print(json.dumps(o, indent=2))' "$OUTPUTS_FILE" "$RUN_DIR/staff.json"
}

case "$ACTION" in
  apply)
    prepare
    tflocal_ apply -input=false -auto-approve -no-color -var-file="$VARS" > "$RUN_DIR/terraform-apply.log" \
      || { tail -40 "$RUN_DIR/terraform-apply.log" >&2; die "terraform apply failed (log: $RUN_DIR/terraform-apply.log)"; }
    mkdir -p -m 755 "$(dirname "$OUTPUTS_FILE")"
    terraform_outputs > "$OUTPUTS_FILE.tmp" && chmod 644 "$OUTPUTS_FILE.tmp" && mv "$OUTPUTS_FILE.tmp" "$OUTPUTS_FILE"
    ;;
  plan)
    prepare
    set +e
    tflocal_ plan -input=false -no-color -detailed-exitcode -var-file="$VARS"
    exit $?
    ;;
  outputs)
    [ -f "$OUTPUTS_FILE" ] || die "nothing is deployed (run make up)"
    outputs
    ;;
  *) die "usage: deploy.sh apply|plan|outputs" ;;
esac

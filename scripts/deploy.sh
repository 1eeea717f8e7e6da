#!/usr/bin/env bash
# Terraform against the running local stack, through tflocal, from a work copy of the local
# composition (terraform/environments/local) and the modules it calls.
#   scripts/deploy.sh init      prepare the work copy (terraform init): no LocalStack needed yet
#   scripts/deploy.sh apply     apply, then write the outputs to $OUTPUTS_FILE
#   scripts/deploy.sh plan      exit 0: nothing to change, 2: changes, 1: error
#   scripts/deploy.sh outputs   print the outputs as one JSON object
source "$(dirname "$0")/lib.sh"
ACTION="${1:-apply}"
WORK="$RUN_DIR/terraform"  # LOCAL_STATE (lib.sh) is in it
VARS="$RUN_DIR/local.tfvars.json"

tf_env
tflocal_() { "$PROJECT_VENV/bin/tflocal" "$@"; }

prepare() {
  # A work copy of the local composition with the modules and the edge settings it reads (tflocal
  # writes its endpoint overrides beside it, so each stack has its own).
  mkdir -p "$WORK/environments/local"
  rm -rf "$WORK/modules" && cp -r "$ROOT/terraform/modules" "$ROOT/terraform/edge.json" "$WORK/"
  rm -f "$WORK/environments/local"/*.tf
  cp "$ROOT"/terraform/environments/local/*.tf "$ROOT/terraform/environments/local/.terraform.lock.hcl" "$WORK/environments/local/"
  cat > "$VARS" <<JSON
{
  "web_url": "$WEB_URL",
  "localstack_endpoint": "$ENDPOINT",
  "lambda_image_uri": "$(processor_image_uri)",
  "max_concurrency": $(( $(nproc) < 2 ? 2 : $(nproc) ))
}
JSON
  cd "$WORK/environments/local"
  local config; config="$(cat "$ROOT"/terraform/environments/local/*.tf | sha256sum)"
  if [ ! -d .terraform ] || [ "$(cat .terraform/config.init 2>/dev/null)" != "$config" ]; then
    # plain terraform: init reaches no endpoint, and needs no Python environment (make up runs it
    # beside the bootstrap)
    "$TF_CMD" init -input=false -no-color >/dev/null
    echo "$config" > .terraform/config.init
  fi
}

terraform_outputs() {
  cd "$WORK/environments/local" && "$TF_CMD" output -json | "$PROJECT_VENV/bin/python" -c \
    'import json,sys; print(json.dumps({k: v["value"] for k, v in json.load(sys.stdin).items()}, indent=2))'
}

outputs() {  # Terraform's outputs, and on the local stack its staff account and API token
  "$PROJECT_VENV/bin/python" -c 'import json,os,sys; o=json.load(open(sys.argv[1]))
if os.path.exists(sys.argv[2]): o.update(json.load(open(sys.argv[2])))
print(json.dumps(o, indent=2))' "$OUTPUTS_FILE" "$RUN_DIR/staff.json"
}

# The AWS provider's own waiters hold most of an apply (each SQS queue about 25 s, each S3 lifecycle
# configuration about 55 s, sleeping between reads); with every resource free to start at once the
# longest chain sets the time, not Terraform's default of 10 at a time.
PARALLELISM=40

case "$ACTION" in
  init)
    prepare
    ;;
  apply)
    prepare
    tflocal_ apply -input=false -auto-approve -no-color -parallelism="$PARALLELISM" -var-file="$VARS" > "$RUN_DIR/terraform-apply.log" \
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
  *) die "usage: deploy.sh init|apply|plan|outputs" ;;
esac

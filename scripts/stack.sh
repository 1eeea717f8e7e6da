#!/usr/bin/env bash
# The local stack: up (prepare, start, deploy), down, logs, status.
#   MODE=compose   LocalStack, PostgreSQL and the web app as containers; the Lambda as its image
#   MODE=embedded  no Docker: LocalStack in-process, PostgreSQL, the web app and the Lambda as
#                  processes on the host
#   (default: compose when a Docker engine answers, embedded otherwise)
source "$(dirname "$0")/lib.sh"
ACTION="${1:-up}"

choose_mode() {
  local running; running="$(cat "$RUN_DIR/mode" 2>/dev/null || true)"
  if [ -n "${MODE:-}" ] && [ -n "$running" ] && [ "$MODE" != "$running" ]; then
    die "a $running stack is up in $RUN_DIR: make down first, or MODE=$running"
  fi
  case "${MODE:-${running:-auto}}" in
    compose|embedded) echo "${MODE:-$running}" ;;
    auto) if docker_running; then echo compose; else echo embedded; fi ;;
    *) die "MODE must be compose or embedded (got '$MODE')" ;;
  esac
}

# A secret of this stack, made once and kept in the run folder (never in the repository).
secret() {  # NAME
  local file="$RUN_DIR/secrets/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$RUN_DIR/secrets" && chmod 700 "$RUN_DIR/secrets"
    "$PROJECT_VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file"
  fi
  cat "$file"
}

compose() {
  local profile=()
  [ -z "$HTTPS" ] || profile=(--profile https)
  ( while IFS= read -r setting; do export "${setting?}"; done < <(web_settings)
    export LOCALSTACK_PORT WEB_PORT WEB_HTTPS_PORT POSTGRES_PORT VIVIDART_RUN_DIR="$RUN_DIR" \
      VIVIDART_DB_PASSWORD="$(secret database-password)" VIVIDART_WEB_SECRET_KEY="$(secret web-secret-key)"
    docker compose -p "$COMPOSE_PROJECT" -f "$ROOT/compose.yaml" "${profile[@]}" "$@" )
}

# The app's settings that depend on its edge: behind the proxy (HTTPS=1) it runs in its AWS
# settings (its https address, the proxy trusted, Secure cookies, HSTS); the heartbeat and
# keep-alive come from terraform/edge.json, as on AWS.
web_settings() {
  local edge="$PROJECT_VENV/bin/python $ROOT/scripts/https_proxy.py edge"
  echo "VIVIDART_WEB_PUBLIC_URL=$WEB_URL"
  echo "VIVIDART_WEB_SSE_HEARTBEAT_SECONDS=$($edge sse_heartbeat_seconds)"
  # Download all's parts: 4 GB, unless a test stack cuts them small to see them cut
  [ -z "${VIVIDART_WEB_ARCHIVE_PART_BYTES:-}" ] || echo "VIVIDART_WEB_ARCHIVE_PART_BYTES=$VIVIDART_WEB_ARCHIVE_PART_BYTES"
  if [ -n "$HTTPS" ]; then
    echo "VIVIDART_WEB_TRUST_PROXY=1"
    echo "VIVIDART_WEB_HSTS_MAX_AGE=$($edge hsts_max_age_seconds)"
    echo "WEB_KEEPALIVE_SECONDS=$(( $($edge idle_timeout_seconds) + 5 ))"  # outlives the proxy's idle connections
  fi
}

# HTTPS=1: the proxy's certificate and configuration in the run folder (the certificate once).
prepare_https() {
  mkdir -p "$HTTPS_DIR"
  local options=(--https-port "$WEB_HTTPS_PORT" --web-port "$WEB_PORT")
  [ "$1" = embedded ] || options+=(--cert-dir /etc/vividart-proxy --drop-to-user)
  "$PROJECT_VENV/bin/python" "$ROOT/scripts/https_proxy.py" prepare "$HTTPS_DIR" "${options[@]}"
  echo 1 > "$HTTPS_DIR/enabled"
}

# curl, trusting the proxy's own certificate where there is one
healthy() { curl -fs -o /dev/null --max-time 2 ${HTTPS:+--cacert "$HTTPS_DIR/cert.pem"} "$1"; }

wait_for() {  # URL WHAT PIDFILE-or-empty
  local url="$1" what="$2" pidfile="${3:-}" tries=120
  until healthy "$url"; do
    if [ -n "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      die "$what exited while starting; see $RUN_DIR/${what}.log"
    fi
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || die "$what did not become healthy at $url"
    sleep 0.5
  done
}

database_url() {
  if [ "$(cat "$RUN_DIR/mode" 2>/dev/null)" = compose ]; then
    echo "postgresql://vividart:$(secret database-password)@127.0.0.1:$POSTGRES_PORT/vividart"
  else
    "$PROJECT_VENV/bin/python" "$ROOT/scripts/localpg.py" start "$RUN_DIR/postgres" "$POSTGRES_PORT"
  fi
}

# The web app's settings (embedded mode; compose.yaml says the same): in a file, so that a second
# instance can be started beside the first (the tests do).
write_web_env() {
  cat > "$RUN_DIR/web.env" <<ENV
VIVIDART_STACK_FILE=$OUTPUTS_FILE
VIVIDART_LOCALSTACK_ENDPOINT=$ENDPOINT
VIVIDART_WEB_SNS_ALLOWED_TOPICS=arn:aws:sns:*:000000000000:*
VIVIDART_WEB_DATABASE_URL=$(database_url)
VIVIDART_WEB_SECRET_KEY=$(secret web-secret-key)
$(web_settings)
ENV
  chmod 600 "$RUN_DIR/web.env"
}

launch_localstack() {
  if ! healthy "$ENDPOINT/_localstack/health"; then
    # The processor runs from the project environment, where its package is installed: any
    # tag of its image is the working tree's code, so a changed processor redeploys in place.
    local task="$RUN_DIR/lambda-task"
    mkdir -p "$task" "$RUN_DIR/localstack-tmp"
    set -a; source "$ROOT/localstack/localstack.env"; set +a
    # Its own temporary directory: LocalStack empties it at start and stop, and keeps its
    # CloudWatch and SES data there (the shared default would be another stack's).
    GATEWAY_LISTEN="127.0.0.1:$LOCALSTACK_PORT" LOCALSTACK_HOST="127.0.0.1:$LOCALSTACK_PORT" \
    TMPDIR="$RUN_DIR/localstack-tmp" VIVIDART_LAMBDA_BACKEND=process \
    VIVIDART_LAMBDA_PROCESS_IMAGES="{\"$PROCESSOR_REPOSITORY\": {\"command\": [\"$PROJECT_VENV/bin/python\", \"-m\", \"photo_processor\"], \"cwd\": \"$task\"}}" \
      setsid "$LOCALSTACK_VENV/bin/python" -m localstack.runtime.main < /dev/null > "$RUN_DIR/localstack.log" 2>&1 &
    echo $! > "$RUN_DIR/localstack.pid"
  fi
}

# PostgreSQL, then the web app (and its TLS proxy with HTTPS=1) once LocalStack answers.
start_web() {
  write_web_env
  wait_for "$ENDPOINT/_localstack/health" localstack "$RUN_DIR/localstack.pid"
  if ! healthy "$APP_URL/healthz"; then
    (set -a; source "$RUN_DIR/web.env"; set +a; cd "$ROOT/services/webapp" && WEB_PORT="$WEB_PORT" \
      exec setsid "$PROJECT_VENV/bin/gunicorn" --config gunicorn.conf.py 'webapp:create_app()') \
      < /dev/null > "$RUN_DIR/web.log" 2>&1 &
    echo $! > "$RUN_DIR/web.pid"
  fi
  wait_for "$APP_URL/healthz" web "$RUN_DIR/web.pid"
  if [ -n "$HTTPS" ] && ! healthy "$WEB_URL/healthz"; then
    command -v haproxy >/dev/null || die "HTTPS=1 needs HAProxy (apt-get install haproxy)"
    setsid haproxy -db -f "$HTTPS_DIR/haproxy.cfg" < /dev/null > "$RUN_DIR/proxy.log" 2>&1 &
    echo $! > "$RUN_DIR/proxy.pid"
  fi
  [ -z "$HTTPS" ] || wait_for "$WEB_URL/healthz" proxy "$RUN_DIR/proxy.pid"
}

# Embedded mode, side by side: LocalStack starts as soon as its environment is filled, while the
# project's environment and the front end are made and Terraform's work copy is initialised; then
# PostgreSQL and the web app start while LocalStack boots.
bootstrap_and_start_embedded() {
  local boot="$ROOT/scripts/bootstrap.sh"
  step "bootstrap: uv, the locks, Terraform" "$boot" part uv terraform
  beside "LocalStack: environment, launch" eval '"$boot" part localstack && launch_localstack'
  "$boot" part project frontend &
  _beside_pids+=($!) _beside_names+=("project environment, front end")
  beside "terraform init" "$ROOT/scripts/deploy.sh" init
  together
  step "start PostgreSQL and the web app (LocalStack booting)" start_web
}

start_compose() {
  compose up -d --wait --quiet-pull >&2
}

# A LocalStack that (re)started holds nothing: forget the deployment state of the one before it.
forget_state_of_old_localstack() {
  local session marker="$RUN_DIR/terraform/localstack-session"
  session="$(curl -fsS --max-time 5 "$ENDPOINT/_localstack/info" | "$PROJECT_VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["session_id"])')"
  if [ "$(cat "$marker" 2>/dev/null)" != "$session" ]; then
    rm -f "$LOCAL_STATE" "$LOCAL_STATE.backup" "$OUTPUTS_FILE"
    mkdir -p "$RUN_DIR/terraform" && echo "$session" > "$marker"
  fi
}

# One staff account and API token for the local stack, made once per database (make outputs).
local_staff() {
  VIVIDART_WEB_DATABASE_URL="$(database_url)" "$PROJECT_VENV/bin/vividart-admin" ensure-local-staff "$RUN_DIR/staff.json"
}

stop_pid() {
  local pidfile="$RUN_DIR/$1.pid"
  if [ -f "$pidfile" ]; then
    kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null || kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}

up() {
  local mode started=$SECONDS
  mode="$(choose_mode)"
  mkdir -p "$RUN_DIR" && mkdir -p -m 755 "$(dirname "$OUTPUTS_FILE")" && echo "$mode" > "$RUN_DIR/mode"
  say "mode: $mode (LocalStack $ENDPOINT, web $WEB_URL, PostgreSQL 127.0.0.1:$POSTGRES_PORT)"
  if [ "$mode" = compose ]; then
    VIVIDART_SKIP_SCANNERS=1 step "bootstrap" "$ROOT/scripts/bootstrap.sh" docker
    if [ -n "$HTTPS" ]; then prepare_https "$mode"; else rm -f "$HTTPS_DIR/enabled"; fi
    step "start the compose stack" start_compose
  else
    if [ -n "$HTTPS" ]; then prepare_https "$mode"; else rm -f "$HTTPS_DIR/enabled"; fi
    bootstrap_and_start_embedded
  fi
  forget_state_of_old_localstack
  step "deploy (terraform apply through tflocal)" "$ROOT/scripts/deploy.sh" apply
  local_staff
  say "ready in $((SECONDS - started)) s"
  status
}

status() {
  local mode; mode="$(cat "$RUN_DIR/mode" 2>/dev/null || echo none)"
  echo
  echo "VividArt local stack ($mode mode)"
  echo "  web app:     $WEB_URL${HTTPS:+ (a self-signed certificate: $HTTPS_DIR/cert.pem)}"
  echo "  LocalStack:  $ENDPOINT"
  if [ "$mode" = compose ]; then compose ps --format '  {{.Service}}: {{.Status}}'; fi
  if [ -f "$RUN_DIR/staff.json" ]; then
    "$PROJECT_VENV/bin/python" -c 'import json,sys; o=json.load(open(sys.argv[1])); print("  sign in as: ", o["staff_email"], "/", o["staff_password"])' "$RUN_DIR/staff.json"
  fi
  echo "  outputs:     make outputs   logs: make logs   stop: make down"
}

down() {
  local mode; mode="$(cat "$RUN_DIR/mode" 2>/dev/null || echo none)"
  if [ "$mode" = compose ] || { [ "$mode" = none ] && docker_running; }; then
    docker_running && compose down --remove-orphans --volumes --timeout 10 >&2 || true
  fi
  stop_pid proxy; stop_pid web; stop_pid localstack
  # The database goes with the stack: LocalStack keeps nothing across restarts either.
  "$PROJECT_VENV/bin/python" "$ROOT/scripts/localpg.py" remove "$RUN_DIR/postgres" 2>/dev/null || true
  if docker_running; then  # Lambda containers the executor started
    docker ps -aq --filter "label=vividart.stack=$COMPOSE_PROJECT" | xargs -r docker rm -f >/dev/null
  fi
  rm -f "$OUTPUTS_FILE" "$RUN_DIR/mode" "$RUN_DIR/staff.json" "$RUN_DIR/web.env" "$HTTPS_DIR/enabled"
  rm -f "$LOCAL_STATE" "$LOCAL_STATE.backup"
  say "stopped"
}

logs() {
  local mode; mode="$(cat "$RUN_DIR/mode" 2>/dev/null || echo none)"
  case "$mode" in
    compose) compose logs -f --tail=100 ;;
    embedded) tail -n 100 -F "$RUN_DIR/localstack.log" "$RUN_DIR/web.log" ${HTTPS:+"$RUN_DIR/proxy.log"} ;;
    *) die "nothing is running (make up)" ;;
  esac
}

case "$ACTION" in
  up|down|logs|status) "$ACTION" ;;
  *) die "usage: stack.sh up|down|logs|status" ;;
esac

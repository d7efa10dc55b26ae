#!/usr/bin/env bash
# Start or stop the scaled mode on one machine: nginx (TLS, sticky by cookie) in front of
# several `wanjia serve` processes, one Celery worker and beat, on PostgreSQL and Redis.
# The README's "Deployment" guide walks through the same steps by hand; tests/scale/ runs it.
#
#   scripts/deploy.sh start | stop | status
#
# Settings (environment): WANJIA_DATABASE_URL and WANJIA_REDIS_URL (required), any other
# WANJIA_* setting (WANJIA_SECRET_KEY, WANJIA_PRODUCTION=true, WANJIA_PUBLIC_URL, ...), and
#   DEPLOY_DIR         where configuration, pid files and logs go (default: instance/deploy)
#   DEPLOY_WEB_PORTS   the `wanjia serve` processes' ports on 127.0.0.1 (default: "5101 5102")
#   DEPLOY_HTTPS       nginx's HTTPS address or port (default: 443)
#   DEPLOY_HTTP        plain HTTP, redirected to HTTPS (default: 80; empty: none)
#   DEPLOY_HOSTS       names and addresses phones use, for the certificate (default: this
#                      machine's first address); WANJIA_TLS_CERT/KEY: the operator's own pair
#   DEPLOY_WORKER=0, DEPLOY_BEAT=0   leave the Celery worker or beat out (run them elsewhere)
#   DEPLOY_NGINX_WORKERS   nginx's worker_processes (default: auto)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
WANJIA="$VENV/bin/wanjia"
instance=${WANJIA_INSTANCE_PATH:-$PWD/instance}
run_dir=${DEPLOY_DIR:-$instance/deploy}
web_ports=${DEPLOY_WEB_PORTS:-5101 5102}
https=${DEPLOY_HTTPS:-443}
http=${DEPLOY_HTTP-80}
hosts=${DEPLOY_HOSTS:-$(hostname -I 2>/dev/null | awk '{print $1}')}
hosts=${hosts:-127.0.0.1}

# Start $2... in a session of its own (so a stop ends its children too); pid in $run_dir/$1.pid.
start_process() {
  local name=$1; shift
  setsid "$@" >>"$run_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

wait_ready() {
  local port=$1
  for _ in $(seq 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return 0
    sleep 0.5
  done
  echo "wanjia serve on port $port is not ready; its log: $run_dir/serve-$port.log" >&2
  tail -n 30 "$run_dir/serve-$port.log" >&2
  return 1
}

stop_process() {
  local pid_file=$1 pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

start() {
  : "${WANJIA_DATABASE_URL:?set WANJIA_DATABASE_URL (PostgreSQL)}"
  : "${WANJIA_REDIS_URL:?set WANJIA_REDIS_URL}"
  export WANJIA_INSTANCE_PATH=$instance
  mkdir -p "$run_dir"
  "$WANJIA" db upgrade  # once, before any process serves
  local cert key host_args=() upstreams=()
  for host in $hosts; do host_args+=(--host "$host"); done
  if [ -n "${WANJIA_TLS_CERT:-}" ]; then
    cert=$WANJIA_TLS_CERT key=$WANJIA_TLS_KEY
  else
    "$WANJIA" certificate "${host_args[@]}" | tee "$run_dir/certificate.txt"
    cert=$instance/tls/cert.pem key=$instance/tls/key.pem
  fi
  for port in $web_ports; do
    start_process "serve-$port" "$WANJIA" serve --host 127.0.0.1 --port "$port"
    upstreams+=(--upstream "127.0.0.1:$port")
  done
  [ "${DEPLOY_WORKER:-1}" = 1 ] && start_process worker "$WANJIA" worker --concurrency 2
  [ "${DEPLOY_BEAT:-1}" = 1 ] && start_process beat "$WANJIA" beat  # its schedule file: instance/celery/
  for port in $web_ports; do wait_ready "$port"; done
  "$WANJIA" nginx-config "${upstreams[@]}" --listen "$https" --http-listen "$http" \
    --certificate "$cert" --key "$key" --run-dir "$run_dir" \
    --workers "${DEPLOY_NGINX_WORKERS:-auto}" >"$run_dir/nginx.conf"
  nginx -t -q -c "$run_dir/nginx.conf" -e "$run_dir/nginx-error.log"
  nginx -c "$run_dir/nginx.conf" -e "$run_dir/nginx-error.log"
  echo "Wanjia Watch is up: https on $https, processes on ${web_ports// /, }; logs in $run_dir"
}

stop() {
  if [ -f "$run_dir/nginx.pid" ]; then
    nginx -c "$run_dir/nginx.conf" -e "$run_dir/nginx-error.log" -s quit 2>/dev/null || true
    for _ in $(seq 40); do [ -f "$run_dir/nginx.pid" ] || break; sleep 0.25; done
  fi
  for pid_file in "$run_dir"/*.pid; do
    [ -e "$pid_file" ] && [ "$pid_file" != "$run_dir/nginx.pid" ] && stop_process "$pid_file"
  done
  echo "stopped"
}

status() {
  for pid_file in "$run_dir"/*.pid; do
    [ -e "$pid_file" ] || continue
    name=$(basename "$pid_file" .pid)
    if kill -0 "$(cat "$pid_file")" 2>/dev/null; then echo "$name: running"; else echo "$name: gone"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

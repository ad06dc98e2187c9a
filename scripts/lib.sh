# Shared by the README's commands and CI: install what is missing, start a
# private Redis when REDIS_URL is not set. Sourced, not run.

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_node_and_deps() {
  command -v node >/dev/null 2>&1 || die "Node.js 20 is required (https://nodejs.org)"
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) === 20 ? 0 : 1)' ||
    say "warning: this project is pinned to Node 20; found $(node --version)"
  if ! command -v pnpm >/dev/null 2>&1; then
    say "installing pnpm 10.34.8"
    npm install -g pnpm@10.34.8 >/dev/null 2>&1 || corepack enable pnpm || die "could not install pnpm"
  fi
  say "installing dependencies from the lockfile"
  pnpm install --frozen-lockfile --reporter=silent || die "pnpm install failed"
}

# Sets REDIS_URL: the one given, else a private redis-server on a free port,
# stopped when the calling script exits.
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    say "using Redis at $REDIS_URL"
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    say "redis-server is missing; installing Debian's redis-server"
    apt_install redis-server ||
      die "redis-server is not installed and cannot be installed here; install it or set REDIS_URL"
  fi
  local redis_bin port dir
  redis_bin=$(command -v redis-server || echo /usr/bin/redis-server)
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  dir=$(mktemp -d)
  "$redis_bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --maxmemory-policy noeviction --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" ||
    die "could not start redis-server"
  PRIVATE_REDIS_PIDFILE="$dir/redis.pid"
  trap stop_private_redis EXIT
  for _ in $(seq 50); do
    [ -s "$PRIVATE_REDIS_PIDFILE" ] && (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$port"
  say "started a private Redis at $REDIS_URL"
}

# Waits (up to 5 s) for the server to be gone, so that nothing of it outlives the script, then removes its directory.
stop_private_redis() {
  if [ -n "${PRIVATE_REDIS_PIDFILE:-}" ] && [ -s "$PRIVATE_REDIS_PIDFILE" ]; then
    local pid
    pid=$(cat "$PRIVATE_REDIS_PIDFILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    rm -rf "$(dirname "$PRIVATE_REDIS_PIDFILE")"
  fi
}

# Debian's chromium, for the dashboard's browser tests and screenshots (never a
# browser downloaded by a test library). Installed only when missing, as root.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return
  if [ "$(id -u)" != 0 ]; then
    say "warning: chromium is missing and only root may install it here; the dashboard's browser tests will fail"
    return
  fi
  say "chromium is missing; installing Debian's chromium"
  apt_install chromium || die "chromium is not installed and cannot be installed here; apt-get install chromium"
}

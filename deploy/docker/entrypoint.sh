#!/bin/sh
# Container entrypoint: selects which app of the monorepo this container runs.
#
#   entrypoint.sh scheduler|drift-monitor|trainer|validator|notifier|seeder|scorer|console [node args...]
#   entrypoint.sh cli <command> [args...]          e.g. `cli db:migrate`, `cli seed ...`
#   entrypoint.sh node|sh <args...>                escape hatch for debugging
#
# The selected app is exec'ed (it replaces this shell), so signals reach node directly.
set -eu

APP_ROOT="${APP_ROOT:-/app}"
cd "$APP_ROOT"

usage() {
  cat <<USAGE
usage: <image> <app> [args...]
  apps: scheduler, drift-monitor, trainer, validator, notifier, seeder, scorer, console
        cli <command> [args...]   (e.g. cli db:migrate)
USAGE
}

run_app() {
  app="$1"
  shift
  main="dist/apps/$app/src/main.js"
  if [ ! -f "$main" ]; then
    echo "entrypoint: $APP_ROOT/$main not found (was the image built with 'npm run build'?)" >&2
    exit 1
  fi
  exec node "$main" "$@"
}

if [ "$#" -eq 0 ]; then
  usage >&2
  exit 2
fi

app="$1"
shift
case "$app" in
  scheduler | drift-monitor | trainer | validator | notifier | seeder | scorer | console | cli)
    run_app "$app" "$@"
    ;;
  node | sh | bash)
    exec "$app" "$@"
    ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "entrypoint: unknown app '$app'" >&2
    usage >&2
    exit 2
    ;;
esac

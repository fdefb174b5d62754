#!/bin/sh
# The image's entry point: which coordinator process this container runs. `exec`, so that the process receives
# the container's SIGTERM directly and drains (run the container with an init, e.g. Compose `init: true`).
set -eu
role="${1:-}"
[ "$#" -gt 0 ] && shift
case "$role" in
  receiver) exec node dist/receiver/server.js "$@" ;;
  worker) exec node dist/worker.js "$@" ;;
  setup) exec node bin/coordinator.js setup "$@" ;;
  coordinator) exec node bin/coordinator.js "$@" ;;
  *)
    echo "usage: receiver | worker | setup | coordinator <command> [args]" >&2
    exit 2
    ;;
esac

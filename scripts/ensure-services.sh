#!/usr/bin/env bash
# Installs the services the tests start on their own (Redis, for the rate-limit plugin's Redis
# backend) when they are missing: `npm test` and .ci/run call this first. The tests then start
# redis-server themselves, on a free port, and stop it. Without root or apt-get it only says what
# is missing: the Redis tests then fail loudly instead of being skipped.
set -uo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-services: installing redis-server (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q redis-server >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q redis-server >/dev/null 2>&1; }
  # Debian starts its own instance on 6379; the tests use their own ports, so stop it.
  (command -v service >/dev/null 2>&1 && service redis-server stop >/dev/null 2>&1) || true
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-services: redis-server is missing and could not be installed: run 'apt-get install -y redis-server' (the Redis tests will fail)" >&2
fi
exit 0

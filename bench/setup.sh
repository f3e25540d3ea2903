#!/bin/sh
# Installs the load generator and the reference proxies the benches compare against (Debian).
set -eu
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update
$SUDO apt-get install -y wrk nginx haproxy
# The Debian package may start a system nginx on port 80; the benches run their own instances.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi

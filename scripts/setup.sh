#!/usr/bin/env bash
# Sets up a machine that has only Node (any version) and npm for Asterism: pnpm, the
# workspace's dependencies (Node 24 among them, from the npm registry), and the Debian
# programs the kernel runs and the tests compare against (busybox-static, bash-static,
# musl-gcc). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION"
fi

missing=()
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v gcc >/dev/null || missing+=(gcc)
[ -x /bin/busybox ] || missing+=(busybox-static)
[ -x /bin/bash-static ] || missing+=(bash-static)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pnpm install --frozen-lockfile

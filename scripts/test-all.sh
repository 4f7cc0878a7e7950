#!/usr/bin/env bash
# Installs everything the test suite needs (real test servers + node modules) and runs it:
# typecheck, lint (including the import-direction rule) and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real servers the tests start themselves on 127.0.0.1 (never auto-started by apt here).
need=()
[ -x /usr/bin/transmission-daemon ] || need+=(transmission-daemon)
[ -x /lib/nut/upsd ] && [ -x /lib/nut/dummy-ups ] || need+=(nut-server nut-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing test servers: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing test servers: ${need[*]} — their tests skip here (CI installs them and fails instead)"
  fi
fi

# As the Dockerfile does (npm documents --ignore-scripts + `npm rebuild` to choose what builds):
# install without install scripts, run the other packages' own, and compile better-sqlite3 from
# source with its build-release script — no prebuilt download, which cannot succeed offline, and
# no npm_config_build_from_source, which npm warns about as an unknown setting. node-gyp builds
# against the local Node headers. (test/core/container.test.ts keeps the list complete.)
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
  npm rebuild esbuild ssh2
  npm run build-release --prefix node_modules/better-sqlite3
fi

npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
npm test

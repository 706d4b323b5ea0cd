#!/usr/bin/env bash
# Installs what `npm run test:editor` needs on Debian 12, idempotently (a second run takes a second):
# Chromium, code-server 4.100.3 and playwright-core (in test/editor/node_modules, not the root's).
# Called by CI; safe to run by hand. See test/editor/README.md.
set -euo pipefail
cd "$(dirname "$0")"

sudo=''
[ "$(id -u)" = 0 ] || sudo='sudo'

# chromium: the browser; libkrb5-dev: headers for code-server's native `kerberos` module;
# ripgrep: a local `rg`, because @vscode/ripgrep's postinstall would download it from GitHub.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null || missing+=(ripgrep)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# @vscode/ripgrep@1.15.11 looks for this tarball before it downloads; give it Debian's rg.
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
tarball="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$tarball" ]; then
  mkdir -p "$cache"
  tar -czf "$tarball" -C "$(dirname "$(command -v rg)")" rg
fi

# npm ci wipes node_modules and takes a minute: skip it while the lock file is the one installed.
stamp=node_modules/.installed-package-lock.json
if ! cmp -s package-lock.json "$stamp"; then
  # unsafe_perm: code-server's postinstall refuses root otherwise; yes: node-pty's postinstall runs
  # `npx node-gyp`, which would wait for a confirmation.
  npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

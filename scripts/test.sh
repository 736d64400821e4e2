#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need on a fresh Debian machine,
# then type-checks, builds the app, and runs every test (unit, integration with real SQLite
# and ffmpeg, e2e in real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use for real: ffmpeg (libass), ImageMagick (alternative caption
# renderer), espeak-ng (offline speech), Chromium (e2e), fonts.
packages=(ffmpeg imagemagick espeak-ng chromium fonts-dejavu-core fonts-liberation fonts-noto-core)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies, exactly as locked. The Electron binary cannot be downloaded here and is not
# needed to build or test: its logic is tested through the engine, the bridge and a test double.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.studio-lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.studio-lock-sum
fi

npm run --silent typecheck
npm run --silent build

mkdir -p test-artifacts
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json
status=$?
set -e
# A closing line any CI reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"))
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)
  if (r.numTotalTests === 0) process.exit(1)
' || status=1
exit $status

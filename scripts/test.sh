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

# Festival with one English voice, for the test that runs the real engine (tests/providers/
# festival-speech.test.ts). Unpacked into a private folder, not installed: the other tests expect
# espeak-ng to be the engine of a plain machine. Debian's text2wave starts `/usr/bin/festival
# --script`, which only looks for its files in /usr/share/festival (in script mode neither
# --libdir nor FESTLIBDIR is read), so bin/text2wave runs the unpacked festival on a copy of
# text2wave that says where its files are. Done once; the folder is reused.
festival_dir="${STUDIO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/creative-studio-tests}/festival"
if [ ! -x "$festival_dir/bin/text2wave" ] && command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
  echo "preparing Festival in $festival_dir"
  # Not `if ( ... )`: bash ignores set -e inside a subshell that is an if condition.
  set +e
  (
    set -e
    rm -rf "$festival_dir.part"
    mkdir -p "$festival_dir.part/debs" "$festival_dir.part/bin"
    cd "$festival_dir.part/debs"
    debs=(festival libestools2.5 festlex-cmu festlex-poslex festvox-kallpc16k)
    if ! apt-get download "${debs[@]}" >/dev/null 2>&1; then
      sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
      $sudo apt-get update -qq
      apt-get download "${debs[@]}" >/dev/null 2>&1
    fi
    for deb in *.deb; do dpkg -x "$deb" ..; done
    cd ..
    root=$(pwd -P)
    libdir=$(dirname "$(ls "$root"/usr/lib/*/libestools.so.* | head -1)")
    missing_libs=$(LD_LIBRARY_PATH="$libdir" ldd usr/bin/festival | grep 'not found' || true)
    if [ -n "$missing_libs" ]; then echo "festival needs: $missing_libs" >&2; exit 1; fi
    share="${festival_dir}/usr/share/festival/"
    sed -e 1d -e "s|^(load (path-append datadir \"init.scm\"))|(set! libdir \"$share\")\n(set! datadir \"$share\")\n&|" usr/bin/text2wave > bin/text2wave.scm
    grep -q "(set! datadir" bin/text2wave.scm
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s/usr/bin/festival" --script "%s/bin/text2wave.scm" "$@"\n' \
      "${festival_dir}${libdir#"$root"}" "$festival_dir" "$festival_dir" > bin/text2wave
    chmod +x bin/text2wave
    rm -rf debs
  )
  festival_status=$?
  set -e
  if [ "$festival_status" -eq 0 ]; then
    rm -rf "$festival_dir" && mv "$festival_dir.part" "$festival_dir"
  else
    rm -rf "$festival_dir.part"
    echo "warning: could not prepare Festival; its test will fail saying so" >&2
  fi
fi
export STUDIO_TEST_FESTIVAL="$festival_dir"

# npm dependencies, exactly as locked. The Electron binary cannot be downloaded here and is not
# needed to build or test: its logic is tested through the engine, the bridge and a test double.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.studio-lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.studio-lock-sum
fi

npm run --silent typecheck
npm run --silent build

# PostgreSQL for the studio farm's tests: a private cluster on loopback for this run only, stopped
# (and its folder removed) when the script exits, whatever the outcome. Tests read its URL from
# STUDIO_TEST_PG_URL (tests/helpers/postgres.ts gives each test file a database of its own).
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/studio-test-pg.XXXXXX")
trap 'scripts/test-postgres.sh stop "$pg_dir"' EXIT
# A cluster that cannot start fails the farm's tests (each then says why), not the whole run.
if STUDIO_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir"); then
  export STUDIO_TEST_PG_URL
else
  echo "warning: could not start PostgreSQL; the farm's tests will fail saying so" >&2
fi

mkdir -p test-artifacts
set +e
rm -f test-artifacts/unhandled-errors.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json \
  --reporter=./tests/reporters/unhandled-errors.ts
status=$?
set -e
# Closing lines any CI reader understands, the unhandled errors' first lines included (vitest
# prints them mid-output, where a CI showing only the end never reaches).
node -e '
  const fs = require("fs")
  const r = JSON.parse(fs.readFileSync("test-artifacts/vitest.json", "utf8"))
  const unhandled = fs.existsSync("test-artifacts/unhandled-errors.json") ? JSON.parse(fs.readFileSync("test-artifacts/unhandled-errors.json", "utf8")) : []
  for (const e of unhandled.slice(0, 5)) {
    console.log(`unhandled ${e.name}: ${e.message.split("\n")[0]}`)
    console.log(`  while ${e.testFile ?? "no test file"}${e.testName ? " > " + e.testName : ""} ran`)
    for (const line of e.stack.split("\n").slice(1, 6)) console.log(`  ${line.trim()}`)
  }
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped, ${unhandled.length} unhandled errors`)
  if (r.numTotalTests === 0) process.exit(1)
' || status=1
exit $status

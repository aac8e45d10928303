#!/usr/bin/env bash
# Installs the system packages onevisit needs to build and test.
# Idempotent; run as root (or with sudo) on a fresh Debian machine.
#
#   packaging/install-build-deps.sh          the default (winit) build + tests
#   packaging/install-build-deps.sh --kms    also what `--features kiosk-kms`
#                                            (Slint's DRM/KMS backend) needs
set -euo pipefail

KMS=0
for arg in "$@"; do
  case "$arg" in
    --kms) KMS=1 ;;
    *) echo "usage: $0 [--kms]" >&2; exit 2 ;;
  esac
done

# Debian packages needed by the build and tests (one per line, with why).
PACKAGES=(
  # The one CJK font of the kiosk: the UI (Slint draws Chinese as nothing
  # without one), print previews, and rare characters (䶮, CJK ext. A)
  # printed as images. Of Debian's fonts only Zen Hei has 䶮. src/fonts.rs
  # finds it; golden PNGs and screenshots are drawn with it.
  fonts-wqy-zenhei
  # 手写输入: Zinnia (linked by onevisit-drivers' handwriting module) and
  # the Tegaki simplified-Chinese model it reads at run time.
  libzinnia-dev
  tegaki-zinnia-simplified-chinese
  # 语音播报: eSpeak NG (linked by onevisit-drivers' speech module) and its
  # voices, Mandarin (cmn) among them, read at run time.
  libespeak-ng-dev
  espeak-ng-data
  # The speakers: ALSA, through the alsa crate, whose build finds
  # libasound with pkg-config.
  libasound2-dev
  pkg-config
  # systemd-analyze: tests/packaging.rs verifies packaging/onevisit.service.
  # (dpkg-deb, for the .deb built in the same test, is in Debian's base.)
  systemd
)
if [ "$KMS" = 1 ]; then
  PACKAGES+=(
    # slint/backend-linuxkms-noseat (cargo feature kiosk-kms): input
    # devices (libudev, libinput) and keymaps (xkbcommon).
    libudev-dev
    libxkbcommon-dev
    libinput-dev
    # (and pkg-config, already in the default list)
  )
fi

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

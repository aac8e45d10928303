#!/usr/bin/env bash
# Builds onevisit's .deb from an already-built binary, with dpkg-deb only
# (no cargo-deb, no debhelper, no root: --root-owner-group).
#
#   cargo build --release --features kiosk-kms
#   packaging/build-deb.sh --binary target/release/onevisit --out dist/
#
# Options:
#   --binary PATH       the onevisit binary to ship (required)
#   --out DIR           where to write onevisit_<version>_<arch>.deb (default .)
#   --version V         package version (default: Cargo.toml's)
#   --compression TYPE  xz (default), gzip, zstd or none (tests use gzip)
#
# Prints the path of the .deb on its last line. The package holds:
#   /usr/bin/onevisit                          the binary (debug info stripped)
#   /lib/systemd/system/onevisit.service       the unit (Type=notify, watchdog)
#   /usr/lib/sysusers.d/onevisit.conf          the service user
#   /lib/udev/rules.d/70-onevisit-devices.rules
#   /etc/onevisit/kiosk.toml                   conffile: every option documented
#   /usr/share/onevisit/catalog/               the packaged catalog
#   /usr/share/doc/onevisit/                   operations.md, devices.md, copyright
#   /var/lib/onevisit/                         data (outbox, catalog updates)
# and depends on fonts-wqy-zenhei (the CJK font) plus the shared libraries
# the binary links (found with readelf + dpkg -S, as dpkg-shlibdeps would).
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY="" OUT="." VERSION="" COMPRESSION="xz"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    --compression) COMPRESSION="$2"; shift 2 ;;
    *) echo "usage: $0 --binary PATH [--out DIR] [--version V] [--compression xz|gzip|zstd|none]" >&2; exit 2 ;;
  esac
done
[ -n "$BINARY" ] && [ -x "$BINARY" ] || { echo "build-deb: --binary must name the built onevisit executable" >&2; exit 2; }
[ -n "$VERSION" ] || VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
ARCH="$(dpkg --print-architecture)"

# The catalog must be valid before it is shipped (also proves the binary runs).
"$BINARY" catalog check catalog >/dev/null

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
chmod 0755 "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" \
  "$STAGE/usr/lib/sysusers.d" "$STAGE/lib/udev/rules.d" "$STAGE/etc/onevisit" \
  "$STAGE/usr/share/onevisit" "$STAGE/usr/share/doc/onevisit" "$STAGE/var/lib/onevisit"

if command -v strip >/dev/null; then
  strip --strip-debug -o "$STAGE/usr/bin/onevisit" "$BINARY"
  chmod 0755 "$STAGE/usr/bin/onevisit"
else
  install -m 0755 "$BINARY" "$STAGE/usr/bin/onevisit"
fi
install -m 0644 packaging/onevisit.service "$STAGE/lib/systemd/system/onevisit.service"
install -m 0644 packaging/sysusers-onevisit.conf "$STAGE/usr/lib/sysusers.d/onevisit.conf"
install -m 0644 packaging/udev/70-onevisit-devices.rules "$STAGE/lib/udev/rules.d/"
install -m 0644 packaging/kiosk.toml "$STAGE/etc/onevisit/kiosk.toml"
cp -r catalog "$STAGE/usr/share/onevisit/catalog"
find "$STAGE/usr/share/onevisit" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
install -m 0644 docs/operations.md docs/devices.md "$STAGE/usr/share/doc/onevisit/"
{
  echo "onevisit — GPL-3.0-or-later; see /usr/share/common-licenses/GPL-3."
  echo "The UI uses Slint under its GPLv3 option."
} > "$STAGE/usr/share/doc/onevisit/copyright"
for s in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$s" "$STAGE/DEBIAN/$s"
done
echo "/etc/onevisit/kiosk.toml" > "$STAGE/DEBIAN/conffiles"

# Shared libraries the binary links, as packages (dpkg-shlibdeps' job).
# libfontconfig is loaded at run time (fontconfig-dlopen), and the
# handwriting model and eSpeak NG's voices (Mandarin cmn) are data files:
# all three named by hand. libespeak-ng1 and libasound2 are found below.
DEPENDS="fonts-wqy-zenhei, libfontconfig1, tegaki-zinnia-simplified-chinese, espeak-ng-data"
for lib in $(readelf -d "$BINARY" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  # awk reads to the end: an early exit would SIGPIPE ldconfig, and under
  # pipefail that fails the build now and then, silently.
  path="$(ldconfig -p | awk -v l="$lib" '$1 == l && !found { print $NF; found = 1 }')"
  [ -n "$path" ] || continue
  pkg="$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || true)"
  pkg="${pkg%%:*}"
  case ", $DEPENDS, " in *", $pkg, "*) ;; *) [ -n "$pkg" ] && DEPENDS="$DEPENDS, $pkg" ;; esac
done

SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: onevisit
Version: $VERSION
Architecture: $ARCH
Maintainer: onevisit maintainers <onevisit@localhost>
Installed-Size: $SIZE
Depends: $DEPENDS
Recommends: systemd, udev, libxkbcommon0
Section: misc
Priority: optional
Homepage: https://localhost/onevisit
Description: 一件事一次办 self-service kiosk for a government service hall
 onevisit runs the hall's touch-screen kiosks: a short questionnaire, one
 precise notice of every item, department and material, one merged form,
 ID card reader, scanner and receipt printer. Runs as the systemd service
 onevisit (DRM/KMS, watchdog), configured in /etc/onevisit/kiosk.toml.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/onevisit_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESSION" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"

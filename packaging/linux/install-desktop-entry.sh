#!/bin/sh
# Put Benji Desktop in the application menu of the current user (or of PREFIX, e.g. PREFIX=/usr/local as root).
# Works from the PyInstaller folder (dist/benji-desktop/install-desktop-entry.sh, Exec points at the bundle)
# and from a source checkout after `pip install` (Exec is `benji-desktop` on PATH).
#   ./install-desktop-entry.sh            install
#   ./install-desktop-entry.sh --uninstall
set -eu
APP_ID=io.github.benji_desktop.BenjiDesktop
PREFIX=${PREFIX:-${XDG_DATA_HOME:-$HOME/.local/share}}
case "$PREFIX" in */share) SHARE=$PREFIX ;; *) SHARE=$PREFIX/share ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -d "$HERE/share/applications" ]; then           # inside the bundle
    SOURCE=$HERE/share
    EXEC=$HERE/benji-desktop
    DESKTOP=$SOURCE/applications/$APP_ID.desktop
    METAINFO=$SOURCE/metainfo/$APP_ID.metainfo.xml
    ICONS=$SOURCE/icons/hicolor
else                                                 # packaging/linux in a checkout
    ROOT=$(cd "$HERE/../.." && pwd)
    EXEC=benji-desktop
    DESKTOP=$HERE/$APP_ID.desktop
    METAINFO=$HERE/$APP_ID.metainfo.xml
    ICONS=$ROOT/resources/icons/hicolor
fi

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
    find "$SHARE/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
    echo "removed $APP_ID from $SHARE"
else
    mkdir -p "$SHARE/applications" "$SHARE/metainfo"
    sed -e "s|^Exec=.*|Exec=$EXEC|" -e "s|^TryExec=.*|TryExec=$EXEC|" "$DESKTOP" \
        > "$SHARE/applications/$APP_ID.desktop"
    cp "$METAINFO" "$SHARE/metainfo/"
    (cd "$ICONS" && find . -name "$APP_ID.*" | while read -r icon; do
        mkdir -p "$SHARE/icons/hicolor/$(dirname "$icon")"
        cp "$icon" "$SHARE/icons/hicolor/$icon"
    done)
    echo "installed $APP_ID into $SHARE (Exec=$EXEC)"
fi
# Refresh caches where the tools exist; menus pick the entry up without them too, only later.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true

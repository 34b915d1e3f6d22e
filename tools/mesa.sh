#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build Mesa $MESA_VER with only what the guest's tests use (the gallium
# virgl driver, EGL and GBM through glvnd, GLES2), with the patches of
# mesa/$MESA_VER/ applied (variant `patched`, the default) or without them
# (variant `stock`, for make bench's A/B), installed in build/mesa/VARIANT.
#   mesa.sh [patched|stock]
# The source is Debian's (the orig tarball of bookworm-backports' source
# package, checked against MESA_ORIG_SHA256 of tools/lib.sh). A build
# whose patches, options and prefix did not change since the last one is
# kept as is; any change rebuilds from a fresh build directory, through
# ccache.
. "$(dirname "$0")/lib.sh"

variant=${1:-patched}
case $variant in patched|stock) ;; *) die "variant: patched or stock" ;; esac
MDIR=$BUILD/mesa
TARBALL_M=$MDIR/mesa_$MESA_VER.orig.tar.xz
PRISTINE=$MDIR/mesa-$MESA_VER
# One source path for both variants: the second build's compiler sees
# the same paths and, for every file the patches leave alone, the same
# sources, so ccache (which meson uses when it is installed) serves it
# what the first compiled. With a path of its own, the stock build from
# cold caches took as long as the patched one (358 s against 376).
SRC=$MDIR/src
OBJ=$MDIR/build-$variant
PREFIX=$MDIR/$variant
mkdir -p "$MDIR"
# Mesa's meson wants Debian's python3 (mako), not another one on PATH.
export PATH=/usr/bin:$PATH

OPTS=(--buildtype=release -Db_ndebug=true --libdir=lib
	-Dplatforms= -Dgallium-drivers=virgl -Dvulkan-drivers=
	-Dglx=disabled -Degl=enabled -Dgbm=enabled -Dglvnd=enabled
	-Dgles1=disabled -Dgles2=enabled -Dopengl=true -Dshared-glapi=enabled
	-Dllvm=disabled -Dgallium-vdpau=disabled -Dgallium-va=disabled
	-Dgallium-xa=disabled -Dgallium-rusticl=false -Dteflon=false
	-Dvalgrind=disabled -Dlibunwind=disabled -Dlmsensors=disabled
	-Dzstd=disabled -Dvideo-codecs= -Dexpat=enabled -Dbuild-tests=false)

patches=()
if [ "$variant" = patched ]; then
	for p in "$TOP/mesa/$MESA_VER"/*.patch; do
		[ -f "$p" ] && patches+=("$p")
	done
	((${#patches[@]})) || die "no patches in mesa/$MESA_VER"
fi
stamp=$( { echo "$MESA_VER $PREFIX ${OPTS[*]}"; cat "${patches[@]}" /dev/null; } |
	sha256sum | cut -c1-16)
if [ -f "$PREFIX/.stamp" ] && [ "$(cat "$PREFIX/.stamp")" = "$stamp" ]; then
	say "Mesa $MESA_VER ($variant) is built: $PREFIX"
	exit 0
fi

if [ ! -d "$PRISTINE" ]; then
	if [ ! -f "$TARBALL_M" ]; then
		# apt names the archive's file of any Debian revision of
		# $MESA_VER; curl fetches it (apt-get source would also want
		# the signature and the Debian diff).
		apt_private
		deb=$(apt-cache "${APT_O[@]}" showsrc mesa |
			sed -n "s/^Version: \($MESA_VER-.*\)/\1/p" | awk 'NR == 1')
		[ -n "$deb" ] || die "the archive offers no source package of Mesa $MESA_VER"
		url=$(apt-get "${APT_O[@]}" source --print-uris "mesa=$deb" |
			grep "/mesa_$MESA_VER.orig.tar.xz'" | cut -d"'" -f2)
		[ -n "$url" ] || die "no orig tarball in mesa $deb"
		say "downloading $url"
		curl -sSf -o "$TARBALL_M.part" "$url" || die "download of $url failed"
		echo "$MESA_ORIG_SHA256  $TARBALL_M.part" | sha256sum -c --quiet ||
			die "SHA256 of $url is not MESA_ORIG_SHA256"
		mv "$TARBALL_M.part" "$TARBALL_M"
	fi
	say "unpacking Mesa $MESA_VER"
	rm -rf "$PRISTINE.part"
	mkdir -p "$PRISTINE.part"
	tar -xf "$TARBALL_M" -C "$PRISTINE.part" --strip-components=1
	mv "$PRISTINE.part" "$PRISTINE"
fi

# A tree of hard links to the pristine one, with the patches applied:
# patch(1) replaces the files it changes, so the pristine tree stays so.
rm -rf "$SRC" "$MDIR/src-patched" "$MDIR/src-stock"
cp -al "$PRISTINE" "$SRC"
for p in "${patches[@]}"; do
	patch -d "$SRC" -p1 -s --fuzz=0 --no-backup-if-mismatch <"$p" ||
		die "$(basename "$p") does not apply to Mesa $MESA_VER"
done

t0=$(date +%s)
# A fresh build directory: ninja goes by mtimes, and the tree of hard
# links gives a file that a patch no longer touches its old mtime back.
rm -rf "$OBJ" "$PREFIX"
say "building Mesa $MESA_VER ($variant): about 3.5 minutes on 2 cores with a cold ccache"
meson setup "$OBJ" "$SRC" --prefix="$PREFIX" "${OPTS[@]}" >"$MDIR/setup-$variant.log" 2>&1 ||
	{ tail -n 30 "$MDIR/setup-$variant.log" >&2; die "meson setup failed"; }
ninja -C "$OBJ" -j"$JOBS" install >"$MDIR/build-$variant.log" 2>&1 ||
	{ grep -E 'error' "$MDIR/build-$variant.log" | head -n 20 >&2
	  tail -n 20 "$MDIR/build-$variant.log" >&2; die "Mesa build failed"; }
grep -E ': warning: ' "$MDIR/build-$variant.log" | grep -F "winsys/virgl/drm" >&2 &&
	die "the virgl DRM winsys builds with warnings"
echo "$stamp" >"$PREFIX/.stamp"
say "Mesa $MESA_VER ($variant) built in $(($(date +%s) - t0))s: $PREFIX"

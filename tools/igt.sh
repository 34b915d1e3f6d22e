#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build tests/igt/*.c on the host against Debian's libigt.so.0 (through the
# declarations in tests/igt/include/igt.h) and the uAPI headers of the
# patched kernel tree, plus the guest's helpers. Output: build/igt/.
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/igt
mkdir -p "$OUT"
kmake -s headers_install >/dev/null
UAPI=$KOBJ/usr/include
CFLAGS=(-O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter
	-Wno-sign-compare -Wno-missing-field-initializers -Werror
	-I"$TOP/tests/igt/include" -I"$UAPI" -I"$UAPI/drm"
	$(pkg-config --cflags libdrm gbm egl glesv2))

for src in "$TOP"/tests/igt/*.c; do
	name=$(basename "$src" .c)
	gcc "${CFLAGS[@]}" -o "$OUT/$name" "$src" -ligt \
		$(pkg-config --libs libdrm gbm egl glesv2) -lm -lpthread
	# The test must enumerate through IGT's real runner interface.
	"$OUT/$name" --list-subtests >/dev/null ||
		die "$name --list-subtests failed"
done
gcc -O2 -Wall -Werror -static -o "$OUT/ds-poweroff" "$TOP/tests/guest/ds-poweroff.c"
# The madvise counter the Mesa tests preload (tests/guest/ds-madvcount.c).
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$UAPI" -I"$TOP/tests/igt" \
	$(pkg-config --cflags libdrm) -o "$OUT/ds-madvcount.so" "$TOP/tests/guest/ds-madvcount.c" -ldl -lpthread
# The mode cap glmark2's DRM flavour runs under (tests/guest/ds-modecap.c).
gcc -O2 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags libdrm) \
	-o "$OUT/ds-modecap.so" "$TOP/tests/guest/ds-modecap.c" -ldl
# The GL client of make bench's Mesa cases (tests/guest/ds-glbench.c).
gcc -O2 -Wall -Wextra -Werror -I"$UAPI" $(pkg-config --cflags libdrm gbm egl glesv2) \
	-o "$OUT/ds-glbench" "$TOP/tests/guest/ds-glbench.c" \
	$(pkg-config --libs libdrm gbm egl glesv2)
for tool in ds-cache ds-bench; do
	gcc -O2 -Wall -Werror -I"$TOP/tests/igt" -I"$UAPI" $(pkg-config --cflags libdrm) -o "$OUT/$tool" \
		"$TOP/tests/guest/$tool.c" $(pkg-config --libs libdrm) -lpthread
done
say "IGT tests built: $(cd "$OUT" && ls | grep -v '^ds-' | tr '\n' ' ')"

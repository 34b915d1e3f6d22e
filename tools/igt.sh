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
	-I"$TOP/tests/igt/include" -I"$UAPI" $(pkg-config --cflags libdrm gbm egl glesv2))

for src in "$TOP"/tests/igt/*.c; do
	name=$(basename "$src" .c)
	gcc "${CFLAGS[@]}" -o "$OUT/$name" "$src" -ligt \
		$(pkg-config --libs libdrm gbm egl glesv2) -lm -lpthread
	# The test must enumerate through IGT's real runner interface.
	"$OUT/$name" --list-subtests >/dev/null ||
		die "$name --list-subtests failed"
done
gcc -O2 -Wall -Werror -static -o "$OUT/ds-poweroff" "$TOP/tests/guest/ds-poweroff.c"
for tool in ds-cache ds-bench; do
	gcc -O2 -Wall -Werror -I"$TOP/tests/igt" -I"$UAPI" $(pkg-config --cflags libdrm) -o "$OUT/$tool" \
		"$TOP/tests/guest/$tool.c" $(pkg-config --libs libdrm) -lpthread
done
say "IGT tests built: $(cd "$OUT" && ls | grep -v '^ds-' | tr '\n' ' ')"

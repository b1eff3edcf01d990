# newlib, the C library of user programs: built once from Debian's
# newlib-source tarball (tools/build-newlib.sh) into build/newlib, which the
# normal and the DEBUG=1 trees share, and rebuilt only when the tarball,
# this file or the script change.
NEWLIB_TARBALL := /usr/src/newlib/newlib-3.3.0.tar.xz
NEWLIB_DIR     ?= build/newlib
NEWLIB_STAMP   := $(NEWLIB_DIR)/stamp
NEWLIB_INC     := $(NEWLIB_DIR)/install/x86_64-elf/include
NEWLIB_LIB     := $(NEWLIB_DIR)/install/x86_64-elf/lib
# As UCFLAGS: no PIC, no stack protector (no TLS canary in user mode);
# SSE is allowed.  -nostdinc: no header of the host's libc.
NEWLIB_CFLAGS  := -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-nostdinc -isystem $(GCC_INC)

$(NEWLIB_STAMP): $(NEWLIB_TARBALL) libethos/newlib.mk tools/build-newlib.sh
	$(Q)tools/build-newlib.sh $(NEWLIB_DIR) $(NEWLIB_TARBALL) "$(NEWLIB_CFLAGS)"
	$(Q)touch $@

$(NEWLIB_TARBALL):
	@echo "missing $@: run tools/deps.sh (package newlib-source)"; exit 1

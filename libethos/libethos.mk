# libethos: the user library, and the rule that links a user program.
# User programs are ordinary C on newlib (libethos/newlib.mk), with the
# Ethos API in <ethos/ethos.h>; libethos also holds the system layer under
# newlib (libethos/newlib.c).  They may use the FPU and SSE (the kernel
# switches that state between processes).
include libethos/newlib.mk

# -D_POSIX_*: newlib declares clock_gettime and CLOCK_MONOTONIC only on
# systems that say they have them; libethos does (newlib.c).
USER_DEFS := -D_POSIX_TIMERS=1 -D_POSIX_MONOTONIC_CLOCK=200112L
# -ffunction-sections -fdata-sections and the link's --gc-sections: a
# program carries only the code it can reach, not every object of
# libethos that some function it calls sits in (the newlib glue's write,
# for instance, names the IPC code, and that pulled in snprintf and with
# it all of stdio: /bin/true had 71 KB of text).
UCFLAGS := -std=gnu11 -O2 -g -fno-pic -fno-pie -static \
	-fno-stack-protector -ffunction-sections -fdata-sections \
	-nostdinc -isystem $(NEWLIB_INC) -isystem $(GCC_INC) $(USER_DEFS) \
	-Ilibethos/include -Ikernel/include/uapi \
	-Wall -Wextra -Werror -MMD -MP

LIBETHOS_SRCS := libethos/syscalls.c libethos/newlib.c libethos/crt0.c \
	libethos/tree.c libethos/process.c libethos/callback.c libethos/files.c \
	libethos/posix_files.c libethos/ipc.c
LIBETHOS_OBJS := $(patsubst %.c,$(BUILD)/user-obj/%.o,$(filter-out libethos/crt0.c,$(LIBETHOS_SRCS)))
LIBETHOS := $(BUILD)/libethos.a
CRT0 := $(BUILD)/user-obj/libethos/crt0.o
LIBGCC := $(shell $(CC) -print-libgcc-file-name)
# newlib calls the system layer in libethos and libethos calls newlib: one
# group.  libgcc: the helpers gcc may call (128-bit division, ...).
USER_LIBS = --start-group $(LIBETHOS) $(NEWLIB_LIB)/libc.a $(NEWLIB_LIB)/libm.a \
	$(LIBGCC) --end-group

# (libethos.mk: a change of the flags rebuilds every user object.)
$(BUILD)/user-obj/%.o: %.c libethos/libethos.mk | $(NEWLIB_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(UCFLAGS) -c -o $@ $<

$(LIBETHOS): $(LIBETHOS_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# $(call user_program,NAME,SOURCES,ARCHIVE-PATH)
define user_program
$(BUILD)/root/$(3): $(CRT0) $(patsubst %.c,$(BUILD)/user-obj/%.o,$(2)) $(LIBETHOS) $(NEWLIB_STAMP) libethos/user.ld
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  ULD     $$@")
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --gc-sections -T libethos/user.ld -o $$@ $$(filter %.o,$$^) $(USER_LIBS)
USER_BINS += $(BUILD)/root/$(3)
endef

USER_BINS :=
-include $(shell find $(BUILD)/user-obj -name "*.d" 2>/dev/null)

# ---- the SDK: what tools/ethos-cc needs to build a program outside the tree
SDK := $(BUILD)/sdk
SDK_STAMP := $(SDK)/stamp
SDK_HEADERS := $(wildcard libethos/include/ethos/*.h kernel/include/uapi/ethos/*.h)

$(SDK_STAMP): $(NEWLIB_STAMP) $(LIBETHOS) $(CRT0) libethos/user.ld $(SDK_HEADERS) tools/ethos-cc
	@$(if $(Q),echo "  SDK     $(SDK)")
	$(Q)rm -rf $(SDK) && mkdir -p $(SDK)/include/ethos $(SDK)/lib $(SDK)/bin
	$(Q)cp -R $(NEWLIB_INC)/. $(SDK)/include/
	$(Q)cp $(SDK_HEADERS) $(SDK)/include/ethos/
	$(Q)cp $(NEWLIB_LIB)/libc.a $(NEWLIB_LIB)/libm.a $(LIBETHOS) libethos/user.ld $(SDK)/lib/
	$(Q)cp $(CRT0) $(SDK)/lib/crt0.o
	$(Q)cp tools/ethos-cc $(SDK)/bin/
	$(Q)touch $@

.PHONY: sdk
sdk: $(SDK_STAMP)

# Ethos-style Xen PV microkernel.
#
#   make          build build/kernel.elf and build/initrd.cpio
#   make run      install what is missing, build, boot under QEMU+Xen (dom0)
#                 into the shell (/bin/sh) on this terminal (exit or Ctrl-D
#                 shuts down; with no terminal a short scripted session);
#                 ARGS="..." boots with that kernel command line instead,
#                 PROGRAMS="..." adds programs built with tools/ethos-cc
#   make sdk      build/sdk: newlib, libethos, crt0 and the linker script
#                 for tools/ethos-cc (plain make builds it too)
#   make test     install what is missing, run every test; last line
#                 "N passed, N failed", non-zero exit on any failure
#   make bench    benchmarks, written to docs/BENCHMARKS.md
#   make debug    boot under QEMU stopped for gdb (tools/gdb/ethos.gdb)
#   make DEBUG=1  the debug kernel (poisoned free memory, guarded kernel
#                 stacks, stack protector, extra invariant checks), built
#                 into build/debug so that it never clobbers build/
#
# Fragments: tests/unit/*.mk add host unit tests (UNIT_TESTS, UNIT_x_SRCS),
# tools/*.mk add targets of their own (the domU path, the ISO, ...).

# DEBUG=1: a separate build tree; `make test` builds and runs both.
DEBUG_BUILD := build/debug
ifeq ($(DEBUG),1)
BUILD   ?= $(DEBUG_BUILD)
else
BUILD   ?= build
endif
CC      := gcc
LD      := ld
HOSTCC  := gcc

GCC_INC := $(shell $(CC) -print-file-name=include)

# Xen's public headers are used from the system (libxen-dev) through a
# directory that holds only them, so that no libc header can creep in.  They
# are included as <xen/interface/...> (as in Linux): <xen/...> is our own
# xen/ layer, <arch/...> the arch layer, <kernel/...> the portable kernel.
SYSINC  := $(BUILD)/sysinc
XEN_PUBLIC := $(SYSINC)/xen/interface/xen.h

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-nostdinc -isystem $(GCC_INC) -isystem $(SYSINC) \
	-Ikernel/include -Iarch/x86/include -Ixen/include \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -D__KERNEL__ \
	-Wall -Wextra -Werror -MMD -MP
ifeq ($(DEBUG),1)
# The canary lives in a global (__stack_chk_guard, kernel/debug.c): the
# default %fs:0x28 would read through a segment base nobody set.
KCFLAGS := $(filter-out -fno-stack-protector,$(KCFLAGS)) -DETHOS_DEBUG \
	-fstack-protector-strong -mstack-protector-guard=global
endif
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__

KSRCS := $(sort $(wildcard kernel/*.c kernel/*/*.c arch/x86/*.c arch/x86/*.S xen/*.c))
KOBJS := $(patsubst %,$(BUILD)/%.o,$(KSRCS))

all: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio

$(XEN_PUBLIC):
	@if [ -L $(SYSINC)/xen ]; then rm -f $(SYSINC)/xen; fi   # the old layout
	@mkdir -p $(SYSINC)/xen
	@test -f /usr/include/xen/xen.h || { echo "missing Xen headers: run tools/deps.sh (package libxen-dev)"; exit 1; }
	ln -sfn /usr/include/xen $(SYSINC)/xen/interface

# V=1 shows whole command lines.
Q := $(if $(V),,@)

$(BUILD)/%.c.o: %.c | $(XEN_PUBLIC)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c -o $@ $<

$(BUILD)/%.S.o: %.S | $(XEN_PUBLIC)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c -o $@ $<

KLD := $(LD) -nostdlib -z max-page-size=4096 -z noexecstack -T linker.ld

# The image carries its own symbol table for backtraces (tools/ksyms.sh):
# link with an empty table, generate the table of that image, link again
# with it.  The table follows .text, so text addresses stay put; the last
# step checks that they did.
$(BUILD)/kernel.elf: $(KOBJS) linker.ld tools/ksyms.sh
	@$(if $(Q),echo "  LD      $@")
	$(Q)tools/ksyms.sh < /dev/null > $(BUILD)/ksyms0.c
	$(Q)$(CC) $(KCFLAGS) -c -o $(BUILD)/ksyms0.o $(BUILD)/ksyms0.c
	$(Q)$(KLD) -o $@.pass1 $(KOBJS) $(BUILD)/ksyms0.o
	$(Q)nm -n $@.pass1 | tools/ksyms.sh > $(BUILD)/ksyms.c
	$(Q)$(CC) $(KCFLAGS) -c -o $(BUILD)/ksyms.o $(BUILD)/ksyms.c
	$(Q)$(KLD) -o $@ $(KOBJS) $(BUILD)/ksyms.o
	$(Q)nm -n $@ | tools/ksyms.sh | cmp -s - $(BUILD)/ksyms.c || \
		{ echo "ksyms: text moved between the link passes"; rm -f $@; exit 1; }
	$(Q)rm -f $@.pass1

-include $(KOBJS:.o=.d)

# ---- user programs and the boot archive ---------------------------------
include libethos/libethos.mk
include user/user.mk
include tests/guest/guest.mk

$(BUILD)/initrd.cpio: $(USER_BINS) $(GUEST_TEST_BINS) $(ARCHIVE_EXTRA) tools/mkcpio.sh
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)tools/mkcpio.sh $@ $(BUILD)/root

# ---- host unit tests ------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -Ikernel/include -Iarch/x86/include -Ixen/include -Itests/unit -DHOST_TEST
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Ikernel/include -Itests/unit -DHOST_TEST -DHOST_BENCH

UNIT_TESTS :=
BENCHES :=
include $(sort $(wildcard tests/unit/*.mk))

define unit_rule
$(BUILD)/unit/$(1): $$(UNIT_$(1)_SRCS) tests/unit/host_support.c tests/unit/unit.h
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  HOSTCC  $$@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(UNIT_$(1)_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

define bench_rule
$(BUILD)/bench/$(1): $$(BENCH_$(1)_SRCS) tests/unit/host_support.c
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  HOSTCC  $$@")
	$(Q)$(HOSTCC) $(BENCH_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(BENCH_$(1)_LDLIBS)
endef
$(foreach b,$(BENCHES),$(eval $(call bench_rule,$(b))))

UNIT_BINS := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))
BENCH_BINS := $(addprefix $(BUILD)/bench/,$(BENCHES))

# ---- the targets a user runs -------------------------------------------------
.PHONY: all deps run debug test unit guest-test bench clean

deps:
	@tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@if [ -n "$(ARGS)" ]; then \
		tools/run-dom0 --timeout 60 --args "$(ARGS)" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	elif [ -t 0 ]; then \
		tools/run-dom0 --interactive --timeout 86400 --args "ethos.init=/bin/sh" \
			$(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	else \
		ETHOS_INPUT_LINE_DELAY=1 tools/run-dom0 --timeout 60 \
			--input "$$(printf 'echo hello from the shell | upper\nexit')" \
			--args "ethos.init=/bin/sh" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	fi

# QEMU stopped at reset, its gdb stub on GDB_PORT; in another terminal:
# gdb -x tools/gdb/ethos.gdb (README, "Debugging").
GDB_PORT ?= 1234
debug: deps
	@$(MAKE) --no-print-directory all
	@command -v gdb > /dev/null || echo "make debug: gdb is missing (tools/deps.d/debug.list)"
	tools/run-dom0 --timeout 86400 --gdb $(GDB_PORT) --args "$(ARGS)" \
		$(BUILD)/kernel.elf $(BUILD)/initrd.cpio

unit: $(UNIT_BINS)
	@tools/run-unit $(UNIT_BINS)

# Every test, host and guest; tools/run-tests prints the closing line.
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(TEST_EXTRA_DEPS)
	@$(MAKE) --no-print-directory DEBUG=1 BUILD=$(DEBUG_BUILD) all
	@UNIT_BINS="$(UNIT_BINS)" DEBUG_BUILD=$(DEBUG_BUILD) tools/run-tests

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@tools/run-bench $(BENCH_BINS)

clean:
	rm -rf $(BUILD)

include $(sort $(wildcard tools/*.mk))

# libethos: the user library, and the rule that links a user program.
# User code is built freestanding; it may use the FPU and SSE (the kernel
# switches that state between processes).
UCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -static \
	-fno-stack-protector -fno-builtin \
	-nostdinc -isystem $(GCC_INC) -Ilibethos/include -Ikernel/include/uapi \
	-Wall -Wextra -Werror -MMD -MP

LIBETHOS_SRCS := libethos/syscalls.c libethos/libc.c libethos/crt0.c \
	libethos/tree.c libethos/process.c kernel/lib/format.c kernel/lib/string.c
LIBETHOS_OBJS := $(patsubst %.c,$(BUILD)/user-obj/%.o,$(LIBETHOS_SRCS))
LIBETHOS := $(BUILD)/libethos.a

$(BUILD)/user-obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(UCFLAGS) -Ikernel/include -c -o $@ $<

$(LIBETHOS): $(LIBETHOS_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# $(call user_program,NAME,SOURCES,ARCHIVE-PATH)
define user_program
$(BUILD)/root/$(3): $(patsubst %.c,$(BUILD)/user-obj/%.o,$(2)) $(LIBETHOS) libethos/user.ld
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  ULD     $$@")
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack -T libethos/user.ld -o $$@ $$(filter %.o,$$^) $(LIBETHOS)
USER_BINS += $(BUILD)/root/$(3)
endef

USER_BINS :=
-include $(shell find $(BUILD)/user-obj -name "*.d" 2>/dev/null)

# ELF64 validator: host tests, and a real static executable in the user
# layout for them to parse ($(BUILD)/unit/sample.elf; the test finds it
# next to itself, or takes a path as argv[1] or $ELF_SAMPLE).
UNIT_TESTS += elf
UNIT_elf_SRCS := tests/unit/test_elf.c kernel/exec/elf.c

ELF_SAMPLE_FLAGS := -std=gnu11 -O2 -static -nostdlib -ffreestanding \
	-fno-pie -no-pie -fno-asynchronous-unwind-tables -fno-stack-protector \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
	-Wall -Wextra -Werror

$(BUILD)/unit/sample.elf: tests/unit/elf_sample.c tests/unit/elf_sample.ld
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ELF_SAMPLE_FLAGS) -T tests/unit/elf_sample.ld -o $@ tests/unit/elf_sample.c
	@chmod a-x $@        # data for the test, never to be run on the host

# Built with the test, so `make unit` and `make test` always have it.
$(BUILD)/unit/elf: $(BUILD)/unit/sample.elf

# The in-guest test programs: tests/guest/NAME.c -> /tests/NAME in the
# archive, plus two damaged ELF files that spawn must refuse.
GUEST_TESTS := $(basename $(notdir $(wildcard tests/guest/*.c)))
$(foreach t,$(GUEST_TESTS),$(eval $(call user_program,$(t),tests/guest/$(t).c,tests/$(t))))

GUEST_TEST_BINS := $(BUILD)/root/tests/corrupt.elf $(BUILD)/root/tests/truncated.elf

# Bad machine type in an otherwise good image.
$(BUILD)/root/tests/corrupt.elf: $(BUILD)/root/tests/hello
	cp $< $@ && printf '\x03\x00' | dd of=$@ bs=1 seek=18 conv=notrunc status=none
# Cut short inside the program headers.
$(BUILD)/root/tests/truncated.elf: $(BUILD)/root/tests/hello
	head -c 100 $< > $@

# A portable program (no Ethos header) built as a user would build one:
# tools/ethos-cc on the SDK, from a temporary folder outside the tree.
GUEST_TEST_BINS += $(BUILD)/root/tests/portable
$(BUILD)/root/tests/portable: tests/portable/portable.c $(SDK_STAMP) tools/ethos-cc
	@mkdir -p $(@D)
	@$(if $(Q),echo "  ETHOSCC $@")
	$(Q)d=$$(mktemp -d /tmp/ethos-portable.XXXXXX) && cp $< $$d/ && \
		(cd $$d && ETHOS_SDK=$(abspath $(SDK)) $(abspath tools/ethos-cc) \
			-std=c99 -O2 -Wall -Wextra -Werror -pedantic portable.c -o portable) && \
		cp $$d/portable $@; rc=$$?; rm -rf $$d; exit $$rc

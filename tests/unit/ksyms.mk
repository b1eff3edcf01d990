# The kernel's symbol table: tools/ksyms.sh over a sample of nm output,
# and arch/x86/ksyms.c's lookup over the table it generates.
UNIT_TESTS += ksyms
UNIT_ksyms_SRCS := tests/unit/test_ksyms.c arch/x86/ksyms.c \
	$(BUILD)/unit/ksyms_sample.c
# (LDLIBS is the one per-test flag slot: ksyms.h lives with the arch code.)
UNIT_ksyms_LDLIBS := -Iarch/x86/include

$(BUILD)/unit/ksyms_sample.c: tests/unit/ksyms_sample.nm tools/ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/ksyms.sh < $< > $@

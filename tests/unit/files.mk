# Files: names, paths and the reply checks (kernel/fs/names.c,
# <uapi/ethos/shadow.h>); the shadowdaemon's confinement (serve.c) on a
# real temporary directory; a libFuzzer target for the reply checks.
UNIT_TESTS += files shadowdaemon
UNIT_files_SRCS := tests/unit/test_files.c kernel/fs/names.c
UNIT_shadowdaemon_SRCS := tests/unit/test_shadowdaemon.c tools/shadowdaemon/serve.c
UNIT_shadowdaemon_LDLIBS := -Itools/shadowdaemon
$(BUILD)/unit/files $(BUILD)/unit/shadowdaemon: kernel/include/uapi/ethos/shadow.h
$(BUILD)/unit/shadowdaemon: tools/shadowdaemon/serve.h

$(BUILD)/fuzz/shadow-reply: tests/unit/fuzz_shadow_reply.c kernel/include/uapi/ethos/shadow.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
		-Ikernel/include -o $@ tests/unit/fuzz_shadow_reply.c
.PHONY: fuzz-shadow-reply
fuzz-shadow-reply: $(BUILD)/fuzz/shadow-reply
	$(BUILD)/fuzz/shadow-reply -runs=$(FUZZ_RUNS) -max_len=2048
TEST_EXTRA_DEPS += $(BUILD)/fuzz/shadow-reply

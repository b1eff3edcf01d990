UNIT_TESTS += alloc
UNIT_alloc_SRCS := tests/unit/test_alloc.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
BENCHES += alloc
BENCH_alloc_SRCS := tests/unit/bench_alloc.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c

# libFuzzer target (clang): make fuzz-alloc [FUZZ_RUNS=N]; make test runs
# a short smoke of it (tools/tests.d/05-fuzz.sh).
FUZZ_RUNS ?= 200000
$(BUILD)/fuzz/alloc: tests/unit/fuzz_alloc.c tests/unit/fake_memory.c \
		kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c tests/unit/host_support.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
		-Ikernel/include -Itests/unit -DHOST_TEST -o $@ $(filter %.c,$^)
.PHONY: fuzz-alloc
fuzz-alloc: $(BUILD)/fuzz/alloc
	$(BUILD)/fuzz/alloc -runs=$(FUZZ_RUNS) -max_len=3000
TEST_EXTRA_DEPS += $(BUILD)/fuzz/alloc

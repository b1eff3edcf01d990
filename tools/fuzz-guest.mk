# The long guest syscall fuzz: 10^6 calls by 4 workers at once, with a
# leak check at the end (tests/guest/fuzzlong.c, tools/run-fuzz-guest).  Not
# part of make test; the suite runs the short fuzzer, tests/guest/fuzz.c.
#   make fuzz-guest [SEED=N] [FUZZ_CALLS=1000000] [FUZZ_WORKERS=4]
#                   [FUZZ_TIMEOUT=900] [FUZZ_ARGS="trace=K,ops=MASK"]
FUZZ_CALLS ?= 1000000
FUZZ_WORKERS ?= 4
FUZZ_TIMEOUT ?= 900

.PHONY: fuzz-guest
fuzz-guest: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tools/run-fuzz-guest $(if $(SEED),--seed $(SEED)) \
		--calls $(FUZZ_CALLS) --workers $(FUZZ_WORKERS) \
		--timeout $(FUZZ_TIMEOUT) --extra "$(FUZZ_ARGS)" \
		$(BUILD)/kernel.elf $(BUILD)/initrd.cpio

# The event table, waits and trees together (kernel/event/{event,wait,
# evtree}.c) against a reference model (tests/unit/event_world.c), with
# host stand-ins for kmalloc, copyin/copyout and the scheduler.  proc.h
# pulls in arch headers; the include paths ride on the _LDLIBS tail (see
# evtree.mk).
EVENT_HOST_SRCS := kernel/event/event.c kernel/event/wait.c \
	kernel/event/evtree.c tests/unit/event_world.c
EVENT_HOST_INC := -Iarch/x86/include -Ixen/include
UNIT_TESTS += events
UNIT_events_SRCS := tests/unit/test_events.c $(EVENT_HOST_SRCS)
UNIT_events_LDLIBS := $(EVENT_HOST_INC)
$(BUILD)/unit/events: kernel/include/kernel/event.h kernel/include/kernel/evtree.h \
	kernel/include/kernel/proc.h tests/unit/event_world.h

# libFuzzer target over the same operations: make fuzz-events
# [FUZZ_RUNS=N]; make test runs a short smoke of it (tools/tests.d).
$(BUILD)/fuzz/events: tests/unit/fuzz_events.c $(EVENT_HOST_SRCS) \
		tests/unit/host_support.c tests/unit/event_world.h \
		kernel/include/kernel/event.h kernel/include/kernel/evtree.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
		-Ikernel/include -Itests/unit $(EVENT_HOST_INC) -DHOST_TEST \
		-o $@ $(filter %.c,$^)
.PHONY: fuzz-events
fuzz-events: $(BUILD)/fuzz/events
	$(BUILD)/fuzz/events -runs=$(FUZZ_RUNS) -max_len=4096
TEST_EXTRA_DEPS += $(BUILD)/fuzz/events

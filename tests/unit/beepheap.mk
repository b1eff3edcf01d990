# The beep queue's min-heap (kernel/event/beepheap.c) against a model, and
# the benchmark of it against the sorted list it replaced.
UNIT_TESTS += beepheap
UNIT_beepheap_SRCS := tests/unit/test_beepheap.c kernel/event/beepheap.c
$(BUILD)/unit/beepheap: kernel/include/kernel/beepheap.h kernel/include/kernel/event.h
BENCHES += beepheap
BENCH_beepheap_SRCS := tests/unit/bench_beepheap.c kernel/event/beepheap.c

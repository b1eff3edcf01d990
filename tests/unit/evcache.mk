# The event cache (kernel/event/evcache.c) over the buddy allocator on
# fake memory: random workloads against a model, exhaustion, reclaim.
UNIT_TESTS += evcache
UNIT_evcache_SRCS := tests/unit/test_evcache.c kernel/event/evcache.c \
	tests/unit/fake_memory.c kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
$(BUILD)/unit/evcache: kernel/include/kernel/evcache.h

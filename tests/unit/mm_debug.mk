# The allocators as a debug kernel builds them (ETHOS_DEBUG): poisoned
# free memory, the buddy list checks, and the object counters.  The unit
# rule has no per-test CFLAGS hook, so -D rides on the _LDLIBS tail (gcc
# applies it to every source on the line).
UNIT_TESTS += mm_debug
UNIT_mm_debug_SRCS := tests/unit/test_mm_debug.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
UNIT_mm_debug_LDLIBS := -DETHOS_DEBUG
$(BUILD)/unit/mm_debug: kernel/include/kernel/mm.h kernel/include/kernel/kstat.h

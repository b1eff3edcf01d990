# The per-process handle table (kernel/handle.c).
UNIT_TESTS += handles
UNIT_handles_SRCS := tests/unit/test_handles.c kernel/handle.c \
	tests/unit/fake_memory.c kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c

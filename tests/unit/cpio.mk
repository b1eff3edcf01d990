UNIT_TESTS += cpio
UNIT_cpio_SRCS := tests/unit/test_cpio.c kernel/cpio.c

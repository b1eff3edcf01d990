UNIT_TESTS += elfparse
UNIT_elfparse_SRCS := tests/unit/test_elfparse.c kernel/elf.c

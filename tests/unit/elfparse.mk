UNIT_TESTS += elfparse
UNIT_elfparse_SRCS := tests/unit/test_elfparse.c kernel/exec/elf.c

# Host tests of the argument block of spawn and exec: gathering from a
# fake user memory, the limits, the System V stack image.
UNIT_TESTS += args
UNIT_args_SRCS := tests/unit/test_args.c kernel/exec/args.c

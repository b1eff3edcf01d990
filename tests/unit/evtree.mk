# Event-tree validation and evaluation (kernel/event/evtree.c) and the
# libethos tree builder, which is checked against the kernel's validator.
UNIT_TESTS += evtree tree_builder
UNIT_evtree_SRCS := tests/unit/test_evtree.c kernel/event/evtree.c
UNIT_tree_builder_SRCS := tests/unit/test_tree_builder.c libethos/tree.c \
	kernel/event/evtree.c

$(BUILD)/unit/evtree: kernel/include/kernel/evtree.h kernel/include/uapi/ethos/abi.h
$(BUILD)/unit/tree_builder: kernel/include/kernel/evtree.h \
	kernel/include/uapi/ethos/abi.h libethos/include/ethos/tree.h
# libethos code includes <ethos/abi.h> and <ethos/tree.h>.  The unit rule
# has no per-test CFLAGS hook (HOST_CFLAGS is expanded when the rule is
# made), so the include paths ride on the _LDLIBS tail of the command line:
# gcc applies -I wherever it stands.
UNIT_tree_builder_LDLIBS := -Ilibethos/include -Ikernel/include/uapi

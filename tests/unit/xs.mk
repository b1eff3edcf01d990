# The xenstore client's checks of what the store sends (xen/xs_msg.c):
# message kinds, watch events and directory replies, hostile ones too.
UNIT_TESTS += xs_msg
UNIT_xs_msg_SRCS := tests/unit/test_xs_msg.c xen/xs_msg.c
UNIT_xs_msg_LDLIBS := -I$(SYSINC)
$(BUILD)/unit/xs_msg: xen/include/xen/xs_msg.h $(XEN_PUBLIC)

# The dom0 shadowdaemon (tools/shadowdaemon): a Linux program, built with
# the host compiler against Debian's Xen libraries (libxen-dev).
SHADOWDAEMON := $(BUILD)/shadowdaemon
SHADOWDAEMON_SRCS := tools/shadowdaemon/shadowdaemon.c tools/shadowdaemon/serve.c
all: $(SHADOWDAEMON)
$(SHADOWDAEMON): $(SHADOWDAEMON_SRCS) tools/shadowdaemon/serve.h kernel/include/uapi/ethos/shadow.h kernel/include/uapi/ethos/abi.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include \
		-o $@ $(SHADOWDAEMON_SRCS) -lxenstore -lxengnttab -lxenevtchn

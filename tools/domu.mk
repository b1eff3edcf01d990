# The user's path: Xen + Linux dom0 + `xl create` of our kernel as a domU
# (docs/DOMU.md).
#   make run-domu        the shell (/bin/sh) on `xl console`, typed on this
#                        terminal (exit or Ctrl-D shuts down; with no
#                        terminal a short scripted session)
#   make run-domu ARGS="ethos.arg=suite" [DOMU_TIMEOUT=300]   that boot instead
#   make domu-flood      the console ring keeps all 3000 lines of a flood
#   make pvgrub          build/ethos-pvgrub.img, a disk for PV-GRUB2
#   make pvgrub-test     boots that disk through PV-GRUB2 on the test path
# The dom0 side (Debian's kernel, an initramfs from Debian packages) is
# built once under $(BUILD)/domu by tools/domu/build-dom0.sh; tools/run-domu
# builds it too when it is missing, so the runner works on its own.
DOMU_TIMEOUT ?= 300
# make test builds the dom0 side before the tests start their timers.
TEST_EXTRA_DEPS += domu-dom0

.PHONY: run-domu domu-dom0 domu-flood pvgrub pvgrub-test
domu-dom0:
	@tools/domu/build-dom0.sh $(BUILD)/domu

run-domu: deps
	@$(MAKE) --no-print-directory all domu-dom0
	@if [ -n "$(ARGS)" ]; then \
		BUILD=$(BUILD) tools/run-domu --timeout $(DOMU_TIMEOUT) --args "$(ARGS)" \
			$(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	elif [ -t 0 ]; then \
		BUILD=$(BUILD) tools/run-domu --interactive --timeout 86400 \
			--args "ethos.init=/bin/sh" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	else \
		BUILD=$(BUILD) tools/run-domu --timeout $(DOMU_TIMEOUT) \
			--input "$$(printf 'echo hello from the shell | upper\nexit')" \
			--args "ethos.init=/bin/sh" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio; \
	fi

domu-flood: deps
	@$(MAKE) --no-print-directory all domu-dom0
	@BUILD=$(BUILD) tools/domu/check-flood.sh

pvgrub: deps
	@$(MAKE) --no-print-directory all
	tools/domu/mkdisk.sh $(BUILD)/ethos-pvgrub.img $(BUILD)/kernel.elf $(BUILD)/initrd.cpio "$(ARGS)"
	@echo "disk image: $(BUILD)/ethos-pvgrub.img (xl config: tools/domu/ethos-pvgrub.cfg)"

pvgrub-test: deps
	@$(MAKE) --no-print-directory all domu-dom0
	BUILD=$(BUILD) tools/run-domu --pvgrub --timeout $(DOMU_TIMEOUT) --args "$(ARGS)" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio

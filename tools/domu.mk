# The user's path: Xen + Linux dom0 + `xl create` of our kernel as a domU.
#   make run-domu [ARGS="ethos.arg=suite"]
.PHONY: run-domu
run-domu: deps
	@$(MAKE) --no-print-directory all
	tools/run-domu --timeout 300 --args "$(ARGS)" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio

# The user's path: Xen + Linux dom0 + `xl create` of our kernel as a domU.
#   make run-domu [ARGS="ethos.arg=suite"]
.PHONY: run-domu
run-domu: deps
	@$(MAKE) --no-print-directory all
	tools/run-domu --timeout 300 --args "$(ARGS)" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio

# make pvgrub: a disk image for PV-GRUB2 (see docs/DOMU.md), and the test.
.PHONY: pvgrub pvgrub-test
pvgrub: deps
	@$(MAKE) --no-print-directory all
	tools/domu/mkdisk.sh $(BUILD)/ethos-pvgrub.img $(BUILD)/kernel.elf $(BUILD)/initrd.cpio "$(ARGS)"
	@echo "disk image: $(BUILD)/ethos-pvgrub.img (xl config: tools/domu/ethos-pvgrub.cfg)"

pvgrub-test: deps
	@$(MAKE) --no-print-directory all
	tools/run-domu --pvgrub --timeout 300 --args "$(ARGS)" $(BUILD)/kernel.elf $(BUILD)/initrd.cpio

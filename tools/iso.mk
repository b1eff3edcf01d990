# make iso: a bootable GRUB ISO (Xen + our kernel as dom0 + boot archive).
#   make iso [ARGS="ethos.arg=suite"]; boot it with -cdrom, or on hardware.
.PHONY: iso iso-test
$(BUILD)/ethos.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio tools/iso/build-iso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)tools/iso/build-iso.sh $@ $(BUILD)/kernel.elf $(BUILD)/initrd.cpio "$(ARGS)"

iso: deps
	@$(MAKE) --no-print-directory $(BUILD)/ethos.iso

iso-test: iso
	tools/run-dom0 --timeout 120 --iso $(BUILD)/ethos.iso

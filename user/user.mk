# User programs: each becomes $(BUILD)/root/bin/NAME in the boot archive.

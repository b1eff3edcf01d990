# User programs: each becomes $(BUILD)/root/PATH in the boot archive.
$(eval $(call user_program,init,user/init.c,bin/init))
$(eval $(call user_program,bench,user/bench.c,bin/bench))
$(eval $(call user_program,true,user/true.c,bin/true))

# Programs from outside the tree (built with tools/ethos-cc):
#   make run PROGRAMS="path/to/hello ..." ARGS="ethos.init=/bin/hello"
# puts each in the archive as /bin/NAME.  A copy stays in the archive
# until make clean.
PROGRAMS ?=
define extra_program
$(BUILD)/root/bin/$(notdir $(1)): $(1)
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  COPY    $$@")
	$(Q)cp $$< $$@
USER_BINS += $(BUILD)/root/bin/$(notdir $(1))
endef
$(foreach p,$(PROGRAMS),$(eval $(call extra_program,$(p))))
$(eval $(call user_program,forkonce,user/forkonce.c,bin/forkonce))

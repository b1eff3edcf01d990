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
# The shell (user/sh.c) and the small programs it runs in pipelines and
# its test (tools/tests.d/50-shell.sh).
$(eval $(call user_program,sh,user/sh.c,bin/sh))
$(eval $(call user_program,echo,user/echo.c,bin/echo))
$(eval $(call user_program,upper,user/upper.c,bin/upper))
$(eval $(call user_program,wc,user/wc.c,bin/wc))
$(eval $(call user_program,sleep,user/sleep.c,bin/sleep))
$(eval $(call user_program,crash,user/crash.c,bin/crash))

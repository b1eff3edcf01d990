# User programs: each becomes $(BUILD)/root/PATH in the boot archive.
$(eval $(call user_program,init,user/init.c,bin/init))
$(eval $(call user_program,bench,user/bench.c,bin/bench))
$(eval $(call user_program,true,user/true.c,bin/true))
$(eval $(call user_program,forkonce,user/forkonce.c,bin/forkonce))

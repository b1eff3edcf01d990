# libethos: built into $(BUILD)/libethos.a (filled in with the user-mode work)
USER_BINS :=

# The in-guest test programs.
GUEST_TEST_BINS :=

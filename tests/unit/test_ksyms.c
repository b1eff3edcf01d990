/*
 * Symbol lookup for backtraces: the table tools/ksyms.sh makes from
 * tests/unit/ksyms_sample.nm (text symbols only, no section markers), and
 * the binary search of arch/x86/ksyms.c over it.
 */
#include <stddef.h>
#include <string.h>
#include "unit.h"
#include <arch/ksyms.h>

/* The kernel's end of text; here any host address above the sample's. */
char _etext[1];

static int named(uint64_t addr, const char *want, uint64_t want_offset)
{
	uint64_t offset = ~0ULL;
	const char *name = ksym_lookup(addr, &offset);

	if (name == NULL || strcmp(name, want) != 0 || offset != want_offset) {
		printf("  %#lx: got %s+%#lx, wanted %s+%#lx\n",
		       (unsigned long)addr, name ? name : "NULL",
		       (unsigned long)offset, want, (unsigned long)want_offset);
		return 0;
	}
	return 1;
}

static void test_table_holds_text_symbols_only(void)
{
	/* _start hypercall_page trap_divide trap_common kernel_main
	 * helper.isra.0 weak_function */
	CHECK_EQ(ksym_count, 7);
	for (unsigned int i = 0; i < ksym_count; i++) {
		CHECK(strcmp(ksym_table[i].name, "_text") != 0);
		CHECK(strcmp(ksym_table[i].name, "_etext") != 0);
		CHECK(strstr(ksym_table[i].name, "rodata") == NULL);
		CHECK(strstr(ksym_table[i].name, "data") == NULL);
		CHECK(strstr(ksym_table[i].name, "bss") == NULL);
		if (i > 0)
			CHECK(ksym_table[i - 1].addr <= ksym_table[i].addr);
	}
}

static void test_lookup(void)
{
	uint64_t offset;

	CHECK(ksym_lookup(0, &offset) == NULL);
	CHECK(ksym_lookup(0xfff, &offset) == NULL);
	CHECK(named(0x1000, "_start", 0));
	CHECK(named(0x1fff, "_start", 0xfff));
	CHECK(named(0x2000, "hypercall_page", 0));
	CHECK(named(0x3015, "trap_divide", 0x15));
	CHECK(named(0x3016, "trap_common", 0));
	CHECK(named(0x3123, "kernel_main", 0x23));
	CHECK(named(0x3400, "helper.isra.0", 0));
	CHECK(named(0x3501, "weak_function", 1));
	/* Past the last function but before the end of text. */
	CHECK(named(0x4800, "weak_function", 0x1300));
	CHECK(ksym_lookup((uint64_t)(uintptr_t)_etext, &offset) == NULL);
	CHECK(ksym_lookup(~0ULL, &offset) == NULL);
}

int main(void)
{
	RUN(test_table_holds_text_symbols_only);
	RUN(test_lookup);
	UNIT_EXIT();
}

/* Address-to-symbol lookup over the table tools/ksyms.sh generates. */
#include <stddef.h>
#include <arch/ksyms.h>

extern char _etext[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	unsigned int lo = 0, hi = ksym_count;

	if (ksym_count == 0 || addr < ksym_table[0].addr ||
	    addr >= (uint64_t)_etext)
		return NULL;
	/* The last entry whose address is <= addr: ksym_table[lo]. */
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_table[lo].addr;
	return ksym_table[lo].name;
}

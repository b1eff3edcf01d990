/*
 * The kernel's own symbol table, embedded in the image (tools/ksyms.sh
 * generates it between two link passes), so that a backtrace on a domU
 * console names functions without any host-side tool.
 */
#ifndef KSYMS_H
#define KSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

/* Sorted by address; ksym_count entries (a sentinel follows). */
extern const struct ksym ksym_table[];
extern const unsigned int ksym_count;

/* The function containing addr and addr's offset in it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif

/* The grant table (v1): letting another domain map some of our frames. */
#ifndef XENGRANT_H
#define XENGRANT_H

#include <stdbool.h>
#include <stdint.h>

/* Sets up and maps the table; false if Xen refuses (then nothing is
 * granted, ever). */
bool grant_init(void);
/* Grants domain `dom` access to the frame behind our pseudo-physical page
 * pfn; returns the ref, or 0 when the table is full (0 is never ours:
 * refs 0-7 are the toolstack's). */
uint32_t grant_access(uint16_t dom, uint64_t pfn, bool readonly);
/* Ends a grant.  False if the other domain still has the frame mapped:
 * the ref stays granted and the frame must not be reused; try again
 * later. */
bool grant_end(uint32_t ref);
/* Refs free now (tests, statistics). */
uint32_t grant_free_count(void);

#endif

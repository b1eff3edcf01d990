/*
 * Loading programs: an ELF executable into a process's regions
 * (kernel/exec/exec.c), and the shared text images behind them
 * (kernel/exec/text.c).
 *
 * Text is shared: the first process to run a program loads its read-only
 * segments into a text image (keyed by the file in the boot archive);
 * later ones map the same frames.  The image holds one reference to each
 * frame, every mapping another; the image goes when its last user does.
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/mm.h>
#include <uapi/ethos/abi.h>

struct vm;
struct text_image;

/* Validates the ELF file and maps its segments into vm (whose regions are
 * empty); *entry is the entry point.  On failure vm->text may be set: the
 * caller destroys vm either way. */
enum status exec_load(struct vm *vm, const void *file, uint64_t size,
		      uintptr_t *entry);

/* The image of `file`, with one more user; a new empty one if none. */
struct text_image *text_get(const void *file, bool *shared);
/* Records a frame of a new image (takes a reference to it). */
bool text_add_page(struct text_image *t, uintptr_t va, pfn_t pfn,
		   unsigned int flags);
/* Maps every frame of an existing image into vm. */
enum status text_map(struct vm *vm, struct text_image *t);
/* One more user of an image that is mapped already (fork). */
void text_share(struct text_image *t);
/* Drops one user; the last frees the image and its frames' references. */
void text_put(struct text_image *t);

#endif

/*
 * Loading programs: an ELF executable into a process's regions
 * (kernel/exec/exec.c), and the shared text images behind them
 * (kernel/exec/text.c); and starting a program, by spawn or exec, with its
 * argument block on the stack (kernel/exec/execve.c, kernel/exec/args.c).
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
struct proc;
struct cpio_file;
struct arg_block;

/* Validates the ELF file and maps its segments into vm (whose regions are
 * empty); *entry is the entry point.  On failure vm->text may be set: the
 * caller destroys vm either way. */
enum status exec_load(struct vm *vm, const void *file, uint64_t size,
		      uintptr_t *entry);

/* The ELF header and program header table of an image in user memory
 * must lie in its first EXEC_IMAGE_HEADERS_MAX bytes. */
#define EXEC_IMAGE_HEADERS_MAX 4096
/* exec_load for an image at ufile in the current (the caller's) address
 * space, copied in segment by segment; its text is never shared. */
enum status exec_load_user(struct vm *vm, uintptr_t ufile, uint64_t size,
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

/* b, empty, over the one static argument buffer (kernel/exec/execve.c
 * says why one is enough); valid until the next args_begin. */
void args_begin(struct arg_block *b);
/* Appends the caller's argv and envp (user pointers, 0: empty) to b. */
enum status args_gather_user(struct arg_block *b, uintptr_t argv,
			     uintptr_t envp);
/* The regular file path in the boot archive, or StatusNotFound. */
enum status program_find(const char *path, struct cpio_file *file);
/* A complete new vm running file: its regions and a stack with the
 * argument block; *entry and *sp start it.  On failure vm is destroyed. */
enum status program_build(struct vm *vm, const struct cpio_file *file,
			  const struct arg_block *args, uintptr_t *entry,
			  uintptr_t *sp);
/* The last part of path, cut to PROC_NAME_MAX - 1 bytes: a process name. */
void program_name(char *dst, const char *path);
/* exec: replaces the program of p (the current process) with the archive
 * file path.  On failure p is untouched; on success every event of p is
 * freed and its frame, registers and FPU state start the new program. */
enum status proc_exec(struct proc *p, const char *path,
		      const struct arg_block *args);
/* exec of the ELF image [uimage, uimage + size) in p's own memory (the
 * second step of exec from a file; name is the new process name).  The
 * same rules as proc_exec. */
enum status proc_exec_image(struct proc *p, uintptr_t uimage, uint64_t size,
			    const char *name, const struct arg_block *args);

#endif

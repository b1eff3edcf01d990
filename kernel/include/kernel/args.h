/*
 * The argument block of spawn and exec (kernel/exec/args.c): argv and envp
 * gathered from user memory into one kernel buffer, then laid out as the
 * stack a program starts with ("How a program starts" in uapi/ethos/abi.h):
 *
 *   top ->  strings: argv's, then envp's, each with its NUL
 *           (up to 15 bytes of padding)
 *           auxv: AT_PAGESZ 4096, AT_NULL 0        (16 bytes per pair)
 *           NULL
 *           envp[envc - 1] .. envp[0]
 *           NULL
 *           argv[argc - 1] .. argv[0]
 *   rsp ->  argc                                    (16-byte aligned)
 *
 * Gathering reads through a function the caller passes (copyin in the
 * kernel, a fake memory with holes in the host tests), so that both halves
 * are pure and tested on the host.  Every count and byte is checked against
 * ETHOS_ARGC_MAX and ETHOS_ARG_MAX as it is read: a hostile array or string
 * is never read further than the limits allow.
 */
#ifndef KERNEL_ARGS_H
#define KERNEL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

/* Auxiliary vector types (the System V numbers). */
#define AT_NULL   0
#define AT_PAGESZ 6
#define ARGS_AUXV_PAIRS 2         /* AT_PAGESZ, AT_NULL */

/* The largest stack image: the counted bytes (strings and their
 * pointers), argc, the two NULLs, auxv, and 15 bytes of alignment. */
#define ARGS_IMAGE_MAX \
	(ETHOS_ARG_MAX + 3 * 8 + ARGS_AUXV_PAIRS * 16 + 15)

/* Reads len bytes of user memory at usrc; StatusBadAddress if it cannot. */
typedef enum status (*args_read_fn)(void *dst, uintptr_t usrc, uint64_t len);

struct arg_block {
	char *strings;            /* ETHOS_ARG_MAX bytes: argv's, then envp's */
	uint64_t size;            /* bytes of strings used, NULs included */
	uint32_t argc, envc;
};

/* An empty block over buf, which holds ETHOS_ARG_MAX bytes. */
void args_init(struct arg_block *b, char *buf);
/* The bytes counted against ETHOS_ARG_MAX so far. */
uint64_t args_counted(const struct arg_block *b);
/* Appends a kernel string to argv (env false; before any envp string)
 * or to envp.  StatusTooBig past a limit. */
enum status args_add(struct arg_block *b, const char *s, bool env);
/*
 * Appends the NULL-terminated user array at uvec (0: none) to argv (env
 * false) or envp (true; argv must be complete).  StatusBadAddress for an
 * unreadable pointer or string, StatusTooBig past a limit.  On failure the
 * block holds a prefix: the caller drops it.
 */
enum status args_gather(struct arg_block *b, uintptr_t uvec, bool env,
			args_read_fn read);

/* The stack image's size: a multiple of 16, at most ARGS_IMAGE_MAX. */
uint64_t args_image_size(const struct arg_block *b);
/* Writes the image into img (args_image_size bytes) as the program will
 * see it at [top - size, top); top is 16-byte aligned.  Returns the
 * program's rsp, top - size. */
uintptr_t args_layout(const struct arg_block *b, uintptr_t top, void *img);

#endif

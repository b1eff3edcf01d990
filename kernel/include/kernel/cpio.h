/*
 * The boot archive: a cpio "newc" archive (the format `cpio -H newc` and
 * Linux initramfs use).  Pure logic, bounds-checked: a truncated or corrupt
 * archive is reported, never read past its end.
 */
#ifndef CPIO_H
#define CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_file {
	const char *name;       /* NUL-terminated, inside the archive */
	size_t name_len;        /* without the NUL */
	const void *data;
	size_t size;
	uint32_t mode;
};

enum cpio_result {
	CpioOk = 0,             /* *file filled, *offset advanced */
	CpioEnd,                /* the TRAILER!!! entry was reached */
	CpioTruncated,          /* an entry runs past the end of the archive */
	CpioCorrupt,            /* bad magic, bad number, bad name */
};

/* Reads the entry at *offset.  Start with *offset = 0. */
enum cpio_result cpio_next(const void *archive, size_t size, size_t *offset,
			   struct cpio_file *file);

/* Finds path (with or without a leading "/"); CpioOk if found, CpioEnd if
 * not there, or the error that stopped the walk. */
enum cpio_result cpio_find(const void *archive, size_t size, const char *path,
			   struct cpio_file *file);

const char *cpio_result_name(enum cpio_result r);

#define CPIO_MODE_TYPE 0170000
#define CPIO_MODE_REG  0100000
#define CPIO_MODE_DIR  0040000

#endif

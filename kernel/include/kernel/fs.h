/* The file syscalls (kernel/fs/files.c). */
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

struct proc;

/* SysReadVar .. SysGetNextName (nr says which). */
enum status fs_syscall(struct proc *p, unsigned int nr, uintptr_t uin,
		       uintptr_t uout);
/* At shutdown: the file RPCs' timings, if any were made. */
void files_report(void);
/* One path element?  (Pure.) */
bool fs_name_ok(const char *name, uint64_t len);
/* out = dir "/" name (or name, for the root); InvalidArgument if over
 * SHADOW_PATH_MAX.  (Pure.) */
enum status fs_join(char *out, uint32_t *out_len, const char *dir,
		    uint32_t dir_len, const char *name, uint64_t name_len);

#endif

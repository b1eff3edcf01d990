/* The file syscalls (kernel/fs/files.c). */
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

struct proc;
struct handle_table;

/* SysReadVar .. SysGetNextName (nr says which). */
enum status fs_syscall(struct proc *p, unsigned int nr, uintptr_t uin,
		       uintptr_t uout);
/* A handle on the root directory in t, a fresh table: it becomes
 * ETHOS_ROOT_HANDLE.  NoMemory (and t as it was) if the table cannot
 * grow.  Daemon or not: the root is there even if no call can reach it. */
enum status fs_root_handle(struct handle_table *t);
/* At shutdown: the file RPCs' timings, if any were made. */
void files_report(void);
/* One path element?  (Pure.) */
bool fs_name_ok(const char *name, uint64_t len);
/* out = dir "/" name (or name, for the root); InvalidArgument if over
 * SHADOW_PATH_MAX.  (Pure.) */
enum status fs_join(char *out, uint32_t *out_len, const char *dir,
		    uint32_t dir_len, const char *name, uint64_t name_len);

#endif

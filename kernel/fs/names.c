/* Names and paths of the file syscalls: pure, so host-tested
 * (tests/unit/test_files.c). */
#include <stddef.h>
#include <kernel/fs.h>
#include <kernel/kstring.h>
#include <uapi/ethos/shadow.h>

bool fs_name_ok(const char *name, uint64_t len)
{
	return shadow_name_ok(name, len) != 0;
}

enum status fs_join(char *out, uint32_t *out_len, const char *dir,
		    uint32_t dir_len, const char *name, uint64_t name_len)
{
	uint64_t len = dir_len + (dir_len ? 1 : 0) + name_len;

	if (len > SHADOW_PATH_MAX || name_len > SHADOW_NAME_MAX)
		return StatusInvalidArgument;
	memcpy(out, dir, dir_len);
	if (dir_len)
		out[dir_len] = '/';
	memcpy(out + dir_len + (dir_len ? 1 : 0), name, name_len);
	*out_len = (uint32_t)len;
	return StatusOk;
}

/* Files: the syscalls (SysReadVar .. SysGetNextName) and blocking helpers. */
#include <stdlib.h>
#include <string.h>
#include <ethos/ethos.h>

static Handle root = ETHOS_ROOT_HANDLE;

Handle ethos_root(void)
{
	return root;
}

void ethos_set_root(Handle dir)
{
	root = dir;
}

static enum status file_call(uint64_t nr, Handle dir, const char *name,
			     size_t name_len, const void *data, size_t len,
			     EventId *event)
{
	struct sys_file_in in = { .dir = dir, .name = name, .name_len = name_len,
				  .data = data, .data_len = len };
	struct sys_event_out out = { 0 };
	enum status st = ethos_syscall(nr, &in, &out);

	if (event)
		*event = out.event;
	return st;
}

#define NAMED(nr) file_call(nr, dir, name, name ? strlen(name) : 0, 0, 0, event)

enum status ethos_read_var(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysReadVar);
}

enum status ethos_write_var(Handle dir, const char *name, const void *data,
			    size_t len, EventId *event)
{
	return file_call(SysWriteVar, dir, name, strlen(name), data, len, event);
}

enum status ethos_open_directory(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysOpenDirectory);
}

enum status ethos_create_directory(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysCreateDirectory);
}

enum status ethos_remove(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysRemoveDirectoryOrFile);
}

enum status ethos_file_information(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysFileInformation);
}

enum status ethos_get_next_name(Handle dir, const char *name, EventId *event)
{
	return NAMED(SysGetNextName);
}

/* Blocks on e and retires it into a malloc'd buffer (NUL-terminated, for
 * names). */
static enum status wait_alloc(EventId e, void **buf, uint64_t *size)
{
	struct ethos_tree_node leaf = { .kind = TreeLeaf, .event = e };
	enum status st = ethos_block(&leaf, 1, 0, 0);

	if (st != StatusOk && st != StatusCancelled)
		return st;
	return ethos_retire_alloc(e, buf, size);
}

enum status ethos_read_file(Handle dir, const char *name, void **buf,
			    uint64_t *size)
{
	EventId e;
	enum status st = ethos_read_var(dir, name, &e);

	*buf = NULL;
	*size = 0;
	return st != StatusOk ? st : wait_alloc(e, buf, size);
}

enum status ethos_write_file(Handle dir, const char *name, const void *data,
			     size_t len)
{
	EventId e;
	enum status st = ethos_write_var(dir, name, data, len, &e);

	return st != StatusOk ? st : ethos_block_and_retire(e, 0, 0, 0);
}

/* Runs a call with no result to its end. */
static enum status simple(enum status (*call)(Handle, const char *, EventId *),
			  Handle dir, const char *name)
{
	EventId e;
	enum status st = call(dir, name, &e);

	return st != StatusOk ? st : ethos_block_and_retire(e, 0, 0, 0);
}

enum status ethos_mkdir(Handle dir, const char *name)
{
	return simple(ethos_create_directory, dir, name);
}

enum status ethos_unlink(Handle dir, const char *name)
{
	return simple(ethos_remove, dir, name);
}

enum status ethos_stat(Handle dir, const char *name, struct ethos_file_info *fi)
{
	EventId e;
	enum status st = ethos_file_information(dir, name, &e);

	memset(fi, 0, sizeof(*fi));
	return st != StatusOk ? st : ethos_block_and_retire(e, fi, sizeof(*fi), 0);
}

enum status ethos_opendir(Handle dir, const char *name, Handle *out)
{
	EventId e;
	enum status st = ethos_open_directory(dir, name, &e);

	*out = HANDLE_NONE;
	return st != StatusOk ? st : ethos_block_and_retire(e, out, sizeof(*out), 0);
}

enum status ethos_next_name(Handle dir, const char *after, char *name,
			    size_t capacity)
{
	EventId e;
	uint64_t size = 0;
	enum status st = ethos_get_next_name(dir, after, &e);

	if (st != StatusOk)
		return st;
	if (capacity == 0)
		return StatusReturnSpace;
	st = ethos_block_and_retire(e, name, capacity - 1, &size);
	name[st == StatusOk ? size : 0] = '\0';
	return st;
}

enum status ethos_exec_image(const void *image, size_t len, const char *name,
			     char *const argv[], char *const envp[])
{
	struct sys_exec_image_in in = {
		.image = image, .image_len = len,
		.name = name, .name_len = name ? strlen(name) : 0,
		.argv = (const char *const *)argv,
		.envp = (const char *const *)envp,
	};

	return ethos_syscall(SysExecImage, &in, 0);
}

enum status ethos_exec_file(Handle dir, const char *name, char *const argv[],
			    char *const envp[])
{
	void *buf;
	uint64_t size;
	enum status st = ethos_read_file(dir, name, &buf, &size);

	if (st == StatusOk)
		st = ethos_exec_image(buf, size, name, argv, envp);
	free(buf);           /* only reached if the exec failed */
	return st;
}

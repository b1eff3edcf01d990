/* cpio newc parsing; see cpio.h. */
#include <stdbool.h>
#include <kernel/cpio.h>

#define HEADER_SIZE 110
#define FIELD_WIDTH 8
#define MAX_NAME    4096

/* Field order in a newc header, after the 6-byte magic. */
enum field {
	FieldIno, FieldMode, FieldUid, FieldGid, FieldNlink, FieldMtime,
	FieldFilesize, FieldDevMajor, FieldDevMinor, FieldRdevMajor,
	FieldRdevMinor, FieldNamesize, FieldCheck,
};

static bool parse_hex(const char *p, uint32_t *value)
{
	uint32_t v = 0;

	for (int i = 0; i < FIELD_WIDTH; i++) {
		char c = p[i];
		uint32_t digit;

		if (c >= '0' && c <= '9')
			digit = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			digit = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			digit = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | digit;
	}
	*value = v;
	return true;
}

static bool field(const char *header, enum field f, uint32_t *value)
{
	return parse_hex(header + 6 + f * FIELD_WIDTH, value);
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static bool same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

enum cpio_result cpio_next(const void *archive, size_t size, size_t *offset,
			   struct cpio_file *file)
{
	const char *base = archive;
	size_t pos = *offset;
	uint32_t mode, filesize, namesize;

	/* Offsets only grow and every step below is checked against size. */
	if (pos > size || size - pos < HEADER_SIZE)
		return CpioTruncated;
	const char *h = base + pos;
	if (!same_bytes(h, "070701", 6) && !same_bytes(h, "070702", 6))
		return CpioCorrupt;
	if (!field(h, FieldMode, &mode) || !field(h, FieldFilesize, &filesize) ||
	    !field(h, FieldNamesize, &namesize))
		return CpioCorrupt;
	if (namesize == 0 || namesize > MAX_NAME)
		return CpioCorrupt;

	size_t name_at = pos + HEADER_SIZE;
	if (size - name_at < namesize)
		return CpioTruncated;
	const char *name = base + name_at;
	if (name[namesize - 1] != '\0')
		return CpioCorrupt;
	for (uint32_t i = 0; i + 1 < namesize; i++)
		if (name[i] == '\0')
			return CpioCorrupt;

	size_t data_at = align4(name_at + namesize);
	if (data_at > size || size - data_at < filesize)
		return CpioTruncated;

	if (namesize == sizeof("TRAILER!!!") &&
	    same_bytes(name, "TRAILER!!!", namesize))
		return CpioEnd;

	file->name = name;
	file->name_len = namesize - 1;
	file->data = base + data_at;
	file->size = filesize;
	file->mode = mode;
	/* The padding after the last file may be missing at the very end. */
	size_t next = align4(data_at + filesize);
	*offset = next < size ? next : size;
	return CpioOk;
}

static const char *skip_prefix(const char *path)
{
	while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
		path += path[0] == '/' ? 1 : 2;
	return path;
}

enum cpio_result cpio_find(const void *archive, size_t size, const char *path,
			   struct cpio_file *file)
{
	const char *want = skip_prefix(path);
	size_t offset = 0;
	enum cpio_result r;

	while ((r = cpio_next(archive, size, &offset, file)) == CpioOk) {
		const char *name = skip_prefix(file->name);
		size_t i = 0;

		while (name[i] != '\0' && name[i] == want[i])
			i++;
		if (name[i] == '\0' && want[i] == '\0')
			return CpioOk;
	}
	return r;
}

const char *cpio_result_name(enum cpio_result r)
{
	switch (r) {
	case CpioOk:
		return "ok";
	case CpioEnd:
		return "end";
	case CpioTruncated:
		return "truncated";
	case CpioCorrupt:
		return "corrupt";
	}
	return "?";
}

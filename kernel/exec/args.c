/* The argument block of spawn and exec; see <kernel/args.h>. */
#include <kernel/args.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>

/*
 * A user string is read in pieces of at most this many bytes, each inside
 * one aligned piece of memory (so inside one page): a string that ends
 * just below an unmapped page is read without touching that page, and a
 * short string costs one short copy, not a page's worth.
 */
#define ARGS_PIECE 64

void args_init(struct arg_block *b, char *buf)
{
	*b = (struct arg_block){ .strings = buf };
}

uint64_t args_counted(const struct arg_block *b)
{
	return b->size + 8 * (uint64_t)(b->argc + b->envc);
}

/* One more string for argv or envp, its bytes already in place. */
static void count_string(struct arg_block *b, uint64_t len, bool env)
{
	b->size += len + 1;
	if (env)
		b->envc++;
	else
		b->argc++;
}

/* Room for a new string with its NUL (after its pointer), or 0. */
static uint64_t room_for_string(const struct arg_block *b)
{
	uint64_t used = args_counted(b) + 8;

	if (b->argc + b->envc >= ETHOS_ARGC_MAX || used >= ETHOS_ARG_MAX)
		return 0;
	return ETHOS_ARG_MAX - used;
}

enum status args_add(struct arg_block *b, const char *s, bool env)
{
	uint64_t len = strlen(s);

	ASSERT(env || b->envc == 0);
	if (len + 1 > room_for_string(b))
		return StatusTooBig;
	memcpy(b->strings + b->size, s, len + 1);
	count_string(b, len, env);
	return StatusOk;
}

/* Reads the user string at ustr to the end of the block's strings. */
static enum status gather_string(struct arg_block *b, uintptr_t ustr,
				 bool env, args_read_fn read)
{
	uint64_t room = room_for_string(b);
	char *dst = b->strings + b->size;
	uint64_t n = 0;

	/* room is what ETHOS_ARG_MAX leaves, so dst + room stays inside the
	 * buffer: size + room <= ETHOS_ARG_MAX - 8. */
	while (n < room) {
		uint64_t piece = ARGS_PIECE - ((ustr + n) & (ARGS_PIECE - 1));
		if (piece > room - n)
			piece = room - n;
		enum status st = read(dst + n, ustr + n, piece);
		if (st != StatusOk)
			return st;
		uint64_t len = strnlen(dst + n, piece);
		if (len < piece) {
			count_string(b, n + len, env);
			return StatusOk;
		}
		n += piece;
	}
	return StatusTooBig;          /* no NUL within the limit */
}

enum status args_gather(struct arg_block *b, uintptr_t uvec, bool env,
			args_read_fn read)
{
	ASSERT(env || b->envc == 0);
	if (uvec == 0)
		return StatusOk;
	/* i stays below ETHOS_ARGC_MAX + 1: the count check ends the loop. */
	for (uint64_t i = 0;; i++) {
		uint64_t uptr;
		enum status st = read(&uptr, uvec + 8 * i, sizeof(uptr));

		if (st != StatusOk)
			return st;
		if (uptr == 0)
			return StatusOk;
		if ((st = gather_string(b, uptr, env, read)) != StatusOk)
			return st;
	}
}

uint64_t args_image_size(const struct arg_block *b)
{
	uint64_t words = 1 + b->argc + 1 + b->envc + 1 + 2 * ARGS_AUXV_PAIRS;

	return (8 * words + b->size + 15) & ~15ULL;
}

uintptr_t args_layout(const struct arg_block *b, uintptr_t top, void *img)
{
	uint64_t size = args_image_size(b);
	uint64_t strings_at = size - b->size;     /* offset in the image */
	uintptr_t ustrings = top - b->size;       /* the same, as the program sees it */
	uint64_t *w = img;
	const char *s = b->strings;

	ASSERT((top & 15) == 0 && ((uintptr_t)img & 7) == 0);
	*w++ = b->argc;
	for (uint32_t i = 0; i < b->argc + b->envc; i++) {
		if (i == b->argc)
			*w++ = 0;                 /* argv's NULL */
		*w++ = ustrings + (uint64_t)(s - b->strings);
		s += strlen(s) + 1;
	}
	if (b->envc == 0)
		*w++ = 0;                         /* argv's NULL */
	*w++ = 0;                                 /* envp's NULL */
	*w++ = AT_PAGESZ;
	*w++ = 4096;
	*w++ = AT_NULL;
	*w++ = 0;
	ASSERT(s == b->strings + b->size);
	uint64_t header = (uint64_t)((char *)w - (char *)img);
	ASSERT(header <= strings_at && strings_at - header < 16);
	memset(w, 0, strings_at - header);
	memcpy((char *)img + strings_at, b->strings, b->size);
	return top - size;
}

/* The kernel command line: space-separated key=value words. */
#include <stddef.h>
#include <kernel/kernel.h>

static const char *cmdline = "";
static unsigned long cmdline_max;

void cmdline_init(const char *line, unsigned long max)
{
	cmdline = line;
	cmdline_max = max;
}

const char *cmdline_get(const char *key, char *buf, unsigned long size)
{
	const char *p = cmdline;
	const char *end = p + cmdline_max;

	while (p < end && *p != '\0') {
		while (p < end && *p == ' ')
			p++;
		const char *word = p;
		while (p < end && *p != ' ' && *p != '\0')
			p++;
		const char *k = key, *w = word;
		while (*k != '\0' && w < p && *w == *k) {
			k++;
			w++;
		}
		if (*k == '\0' && w < p && *w == '=') {
			unsigned long n = 0;
			for (w++; w < p && n + 1 < size; w++)
				buf[n++] = *w;
			if (size > 0)
				buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

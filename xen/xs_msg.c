/* Checking what the store sends; see <xen/xs_msg.h>. */
#include <stddef.h>
#include <xen/xs_msg.h>

enum xs_msg_kind xs_msg_kind(const struct xsd_sockmsg *m, uint32_t req_id,
			     uint32_t type)
{
	if (m->len > XENSTORE_PAYLOAD_MAX)
		return XsBroken;
	/* Events come whenever the store likes, between or before replies,
	 * with a req_id of its choosing (0 in practice): only the type
	 * says what they are. */
	if (m->type == XS_WATCH_EVENT)
		return XsWatchEvent;
	if (req_id == 0 || m->req_id != req_id)
		return XsStray;
	if (m->type == XS_ERROR)
		return XsErrorReply;
	return m->type == type ? XsReply : XsStray;
}

static bool same(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* The length of the NUL-terminated string at p within end, or -1. */
static long str_len(const char *p, const char *end)
{
	for (const char *q = p; q < end; q++)
		if (*q == '\0')
			return q - p;
	return -1;
}

bool xs_watch_event(struct xs_watch *watches, int n, const char *payload,
		    uint32_t len)
{
	const char *end = payload + len;

	if (len == 0 || len > XENSTORE_PAYLOAD_MAX || payload[len - 1] != '\0')
		return false;
	long plen = str_len(payload, end);
	if (plen <= 0)
		return false;
	const char *token = payload + plen + 1;
	if (token >= end || str_len(token, end) <= 0)
		return false;
	/* (More strings after the token are tolerated, as Linux does: a
	 * newer store may add fields.) */
	for (int i = 0; i < n; i++) {
		if (watches[i].token != NULL && same(watches[i].token, token)) {
			watches[i].pending = true;
			return true;
		}
	}
	return false;
}

int xs_directory_parse(const char *payload, uint32_t len, const char **names,
		       int max)
{
	const char *p = payload, *end = payload + len;
	int count = 0;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -1;
	if (len == 0 || (len == 1 && payload[0] == '\0'))
		return 0;
	if (payload[len - 1] != '\0')
		return -1;
	while (p < end) {
		long n = str_len(p, end);
		if (n <= 0)
			return -1;
		for (long i = 0; i < n; i++)
			if (p[i] == '/')
				return -1;
		if (count < max)
			names[count] = p;
		count++;
		p += n + 1;
	}
	return count;
}

/*
 * Argument lists that two processes can agree on without sharing memory:
 * a spec string names a whole argv and envp, the caller builds them from
 * it, and /tests/argv (which gets the spec as its argv[1]) builds them
 * again and compares with what it received.
 *
 * Spec "a:SEED:NA:NE:MIN:MAX:LAST": argv[0] is "/tests/argv", argv[1] the
 * spec itself, then NA - 2 generated strings; envp has NE generated
 * strings.  Generated string i has MIN..MAX bytes (chosen by the seeded
 * generator), each byte 1..255; with LAST >= 0 the very last one has LAST
 * bytes instead (to hit ETHOS_ARG_MAX exactly).  LAST is written with a
 * fixed width, so the spec's own length does not depend on it.
 */
#ifndef GUEST_ARGSPEC_H
#define GUEST_ARGSPEC_H

#include <stdio.h>
#include <string.h>
#include <ethos/ethos.h>

struct argspec {
	uint64_t seed;
	uint64_t na, ne, min, max;
	int64_t last;
};

static inline uint64_t argspec_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Reads a decimal number ending at ':' or the end; *s moves past it. */
static inline int argspec_number(const char **s, uint64_t *v, int *negative)
{
	const char *p = *s;

	*v = 0;
	*negative = 0;
	if (*p == '-') {
		*negative = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	if (*p == ':')
		p++;
	else if (*p != '\0')
		return 0;
	*s = p;
	return 1;
}

static inline int argspec_parse(const char *s, struct argspec *a)
{
	uint64_t v[5], last;
	int neg;

	if (s == 0 || s[0] != 'a' || s[1] != ':')
		return 0;
	s += 2;
	for (int i = 0; i < 5; i++)
		if (!argspec_number(&s, &v[i], &neg) || neg)
			return 0;
	if (!argspec_number(&s, &last, &neg))
		return 0;
	*a = (struct argspec){ v[0], v[1], v[2], v[3], v[4],
			       neg ? -(int64_t)last : (int64_t)last };
	return a->na >= 2 && a->min <= a->max;
}

static inline void argspec_format(char *buf, size_t size, const struct argspec *a)
{
	snprintf(buf, size, "a:%lu:%lu:%lu:%lu:%lu:%s%05lu",
		 (unsigned long)a->seed, (unsigned long)a->na,
		 (unsigned long)a->ne, (unsigned long)a->min,
		 (unsigned long)a->max, a->last < 0 ? "-" : "",
		 (unsigned long)(a->last < 0 ? -a->last : a->last));
}

/* How many strings are generated (argv's after the first two, envp's). */
static inline uint64_t argspec_generated(const struct argspec *a)
{
	return a->na - 2 + a->ne;
}

/* Generated string i into buf (room for its bytes and a NUL); its length. */
static inline uint64_t argspec_string(const struct argspec *a, uint64_t i, char *buf)
{
	uint64_t r = argspec_mix(a->seed * 1000003 + i);
	uint64_t len = a->min + r % (a->max - a->min + 1);

	if (a->last >= 0 && i + 1 == argspec_generated(a))
		len = (uint64_t)a->last;
	for (uint64_t k = 0; k < len; k++) {
		if (k % 8 == 0)
			r = argspec_mix(r);
		buf[k] = (char)(1 + (uint8_t)(r >> (8 * (k % 8))) % 255);
	}
	buf[len] = '\0';
	return len;
}

#endif

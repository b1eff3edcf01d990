/* vsnprintf: the one formatter, used by printk and by libethos. */
#include <stdbool.h>
#include <stdint.h>
#include <kernel/kstring.h>

struct out {
	char *buf;
	size_t size;
	size_t len;        /* what the whole output needs */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool left;
	bool zero;
	int width;
	int longs;         /* 0, 1 (l, z) or 2 (ll) */
};

static void put_padded(struct out *o, const char *s, size_t n,
		       const struct spec *sp, char pad)
{
	size_t fill = sp->width > (int)n ? (size_t)sp->width - n : 0;

	if (!sp->left)
		while (fill-- > 0)
			put(o, pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, bool negative,
		       unsigned int base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (negative) {
		if (sp->zero && sp->width > 0) {
			/* "-0042": the sign goes before the zeros */
			struct spec rest = *sp;
			put(o, '-');
			rest.width--;
			put_padded(o, tmp + sizeof(tmp) - n, n, &rest, '0');
			return;
		}
		tmp[sizeof(tmp) - 1 - n++] = '-';
	}
	put_padded(o, tmp + sizeof(tmp) - n, n, sp, sp->zero ? '0' : ' ');
}

static uint64_t arg_unsigned(va_list *ap, int longs)
{
	if (longs == 2)
		return va_arg(*ap, unsigned long long);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int longs)
{
	if (longs == 2)
		return va_arg(*ap, long long);
	if (longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	while (*f == 'l' || *f == 'z') {
		sp->longs++;
		f++;
	}
	if (sp->longs > 2)
		sp->longs = 2;
	return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f != '\0'; f++) {
		struct spec sp;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&args, sp.longs);
			put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0,
				   10, false, &sp);
			break;
		}
		case 'u':
			put_number(&o, arg_unsigned(&args, sp.longs), false, 10,
				   false, &sp);
			break;
		case 'x':
		case 'X':
			put_number(&o, arg_unsigned(&args, sp.longs), false, 16,
				   *f == 'X', &sp);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (uintptr_t)va_arg(args, void *), false, 16,
				   false, &sp);
			break;
		case 's': {
			const char *s = va_arg(args, const char *);
			if (s == NULL)
				s = "(null)";
			put_padded(&o, s, strlen(s), &sp, ' ');
			break;
		}
		case 'c':
			put(&o, (char)va_arg(args, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(args);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

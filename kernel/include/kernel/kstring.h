/* Freestanding memory and string helpers (the compiler may call these). */
#ifndef KSTRING_H
#define KSTRING_H

#include <stdarg.h>
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* printf-style formatting: %d %i %u %x %X %p %s %c %% with l/ll/z, width,
 * '-' and '0' flags.  Returns the length the full output needs. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4)))
int snprintf(char *buf, size_t size, const char *fmt, ...);

#endif

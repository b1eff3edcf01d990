/* Kernel console output. */
#ifndef PRINTK_H
#define PRINTK_H

__attribute__((format(printf, 1, 2)))
void printk(const char *fmt, ...);

#endif

/* The live object counters (kstat.h) and their console form. */
#include <kernel/kstat.h>
#include <kernel/mm.h>
#include <kernel/printk.h>

uint64_t kstat[KStatCount];

#define KSTAT_NAME(e, name) [e] = name,
static const char *const names[KStatCount] = {
	ETHOS_KSTATS(KSTAT_NAME)
};

void kstat_snapshot(uint64_t out[KStatCount])
{
	for (unsigned int i = 0; i < KStatCount; i++)
		out[i] = kstat[i];
	out[KStatFreePages] = mm_free_pages();
}

void kstat_print(void)
{
	uint64_t v[KStatCount];

	kstat_snapshot(v);
	printk("kernel objects:");
	for (unsigned int i = 0; i < KStatCount; i++)
		printk("%s %s %lu", i ? "," : "", names[i], (unsigned long)v[i]);
	printk("\n");
}

/*
 * A tiny static program for test_elf, linked by elf_sample.ld into the
 * user layout.  It is only parsed, never run; each object below puts
 * something in one section so that both segments have content.
 */
const unsigned long sample_table[4] = { 1, 2, 3, 4 };   /* .rodata: text */
char sample_marker[] = "ethos elf sample";             /* .data: data file bytes */
unsigned long sample_counts[1024];                      /* .bss: data, zeroed */

void _start(void)
{
	for (unsigned long i = 0;; i++)
		sample_counts[i % 1024] += sample_table[i % 4] +
			(unsigned char)sample_marker[i % sizeof(sample_marker)];
}

/*
 * ELF64 validation.  The file comes from the boot archive but is treated
 * as hostile: each offset and size is checked before anything is read
 * through it, with comparisons arranged so that no sum can wrap (a + b <= c
 * is written a <= c && b <= c - a), and a file that breaks any rule is
 * StatusInvalidElfFile.
 *
 * Headers are copied out byte by byte before their fields are read: the
 * archive aligns a file to 4 bytes only, and e_phoff can be anything, so
 * reading a field in place could be an unaligned access (undefined
 * behaviour in C, and UBSan reports it).
 */
#include <kernel/elf64.h>

static uint64_t page_of(uint64_t va)
{
	return va / ELF_PAGE_SIZE;
}

/* A tiny memcpy: this file is pure logic and calls nothing. */
static void copy_bytes(void *dst, const unsigned char *src, size_t n)
{
	unsigned char *d = dst;

	while (n-- > 0)
		*d++ = *src++;
}

/* [start, start + len) lies inside [base, end), with no wrap-around. */
static bool range_inside(uint64_t start, uint64_t len, uint64_t base, uint64_t end)
{
	return start >= base && start <= end && len <= end - start;
}

static bool ident_ok(const unsigned char *id)
{
	return id[EI_MAG0] == ELFMAG0 && id[EI_MAG0 + 1] == ELFMAG1 &&
	       id[EI_MAG0 + 2] == ELFMAG2 && id[EI_MAG0 + 3] == ELFMAG3 &&
	       id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB &&
	       id[EI_VERSION] == EV_CURRENT;
}

/* The header describes a static x86_64 executable whose program header
 * table lies inside the file. */
static bool header_ok(const Elf64_Ehdr *eh, size_t size)
{
	if (!ident_ok(eh->e_ident) || eh->e_version != EV_CURRENT ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64)
		return false;
	/* We step through the table by sizeof(Elf64_Phdr); anything else is
	 * not a table we understand. */
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == PN_XNUM)
		return false;
	return eh->e_phoff <= size &&
	       eh->e_phnum <= (size - eh->e_phoff) / sizeof(Elf64_Phdr);
}

/* The program header types that mean "needs a dynamic linker". */
static bool is_dynamic(uint32_t type)
{
	return type == PT_INTERP || type == PT_DYNAMIC;
}

/* A PT_LOAD entry on its own: sizes sane, its file bytes inside the file,
 * its memory inside the region its protection belongs to, and never both
 * writable and executable (W^X: no page a program can write and run). */
static bool load_ok(const Elf64_Phdr *ph, size_t size, const struct elf_limits *lim)
{
	bool writable = (ph->p_flags & PF_W) != 0;

	if (writable && (ph->p_flags & PF_X))
		return false;
	uint64_t base = writable ? lim->data_base : lim->text_base;
	uint64_t end = writable ? lim->data_end : lim->text_end;

	return ph->p_memsz > 0 && ph->p_filesz <= ph->p_memsz &&
	       range_inside(ph->p_offset, ph->p_filesz, 0, size) &&
	       range_inside(ph->p_vaddr, ph->p_memsz, base, end);
}

/* Adds a segment keeping seg[] sorted by vaddr (insertion: there are at
 * most ELF_MAX_SEGMENTS).  False if max segments are there already. */
static bool add_sorted(struct elf_image *img, const Elf64_Phdr *ph, unsigned int max)
{
	unsigned int i = img->nsegments;

	if (i >= max)
		return false;
	for (; i > 0 && img->seg[i - 1].vaddr > ph->p_vaddr; i--)
		img->seg[i] = img->seg[i - 1];
	img->seg[i].vaddr = ph->p_vaddr;
	img->seg[i].memsz = ph->p_memsz;
	img->seg[i].filesz = ph->p_filesz;
	img->seg[i].offset = ph->p_offset;
	img->seg[i].flags = ph->p_flags;
	img->nsegments++;
	return true;
}

/*
 * The loader maps whole pages, each with one protection, so two segments
 * may not even share a page.  In vaddr order it is enough to compare
 * neighbours: if segment i reached a page of some later segment, it would
 * reach the page of segment i + 1, which starts no later.  vaddr + memsz
 * cannot wrap here: load_ok put it at or below a region's end.
 */
static bool pages_disjoint(const struct elf_image *img)
{
	for (unsigned int i = 0; i + 1 < img->nsegments; i++) {
		const struct elf_segment *a = &img->seg[i], *b = &img->seg[i + 1];

		if (page_of(a->vaddr + a->memsz - 1) >= page_of(b->vaddr))
			return false;
	}
	return true;
}

static bool entry_executable(const struct elf_image *img)
{
	for (unsigned int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->seg[i];

		/* Unsigned: an entry below vaddr wraps to a huge offset. */
		if ((s->flags & PF_X) && img->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

static unsigned int segment_limit(const struct elf_limits *lim)
{
	if (lim->max_segments == 0 || lim->max_segments > ELF_MAX_SEGMENTS)
		return ELF_MAX_SEGMENTS;
	return lim->max_segments;
}

/* Walks the program header table (already known to lie inside the file)
 * and collects the PT_LOAD entries into out. */
static bool collect_segments(const unsigned char *file, size_t size,
			     const Elf64_Ehdr *eh, const struct elf_limits *lim,
			     struct elf_image *out)
{
	unsigned int max = segment_limit(lim);

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		copy_bytes(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (is_dynamic(ph.p_type))
			return false;
		if (ph.p_type != PT_LOAD)
			continue;       /* PT_NOTE, PT_GNU_STACK, PT_TLS...: no mapping */
		if (!load_ok(&ph, size, lim) || !add_sorted(out, &ph, max))
			return false;
	}
	/* Implied by the entry rule too, but it is a rule of its own. */
	return out->nsegments > 0;
}

static bool parse(const unsigned char *file, size_t size,
		  const struct elf_limits *lim, struct elf_image *out)
{
	Elf64_Ehdr eh;

	if (size < sizeof(eh))
		return false;
	copy_bytes(&eh, file, sizeof(eh));
	if (!header_ok(&eh, size))
		return false;
	out->entry = eh.e_entry;
	return collect_segments(file, size, &eh, lim, out) &&
	       pages_disjoint(out) && entry_executable(out);
}

enum status elf_parse(const void *file, size_t size,
		      const struct elf_limits *lim, struct elf_image *out)
{
	out->nsegments = 0;
	if (!parse(file, size, lim, out)) {
		out->nsegments = 0;     /* nothing half-validated for the caller */
		return StatusInvalidElfFile;
	}
	return StatusOk;
}

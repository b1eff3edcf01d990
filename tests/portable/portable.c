/*
 * An ordinary portable C program: standard headers only, nothing of
 * Ethos.  The build compiles it with tools/ethos-cc in a temporary folder
 * outside the tree (tests/guest/guest.mk), as a user would, and the suite
 * runs it.  It counts the words of a text in a hash table, sorts them by
 * frequency and checks the answer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
	char *text;
	int count;
	struct word *next;
};

#define BUCKETS 64
static struct word *table[BUCKETS];
static int failures;

static void check(const char *what, int ok)
{
	printf("%s: portable/%s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failures++;
}

static unsigned int hash(const char *s)
{
	unsigned int h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % BUCKETS;
}

static void add(const char *w)
{
	unsigned int h = hash(w);

	for (struct word *p = table[h]; p; p = p->next) {
		if (strcmp(p->text, w) == 0) {
			p->count++;
			return;
		}
	}
	struct word *p = malloc(sizeof(*p));
	p->text = malloc(strlen(w) + 1);
	strcpy(p->text, w);
	p->count = 1;
	p->next = table[h];
	table[h] = p;
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = *(struct word *const *)a, *y = *(struct word *const *)b;

	if (x->count != y->count)
		return y->count - x->count;
	return strcmp(x->text, y->text);
}

int main(int argc, char *argv[])
{
	const char *text = "The quick brown fox jumps over the lazy dog. The dog "
		"sleeps; the fox does not. A fox is quick, a dog is lazy.";
	char word[32];
	size_t len = 0;
	int n = 0;

	(void)argv;
	check("argc counts the program", argc >= 1);
	for (const char *c = text;; c++) {
		if (isalpha((unsigned char)*c) && len < sizeof(word) - 1) {
			word[len++] = (char)tolower((unsigned char)*c);
		} else if (len > 0) {
			word[len] = '\0';
			add(word);
			len = 0;
		}
		if (*c == '\0')
			break;
	}
	struct word *all[64];
	for (int b = 0; b < BUCKETS; b++)
		for (struct word *p = table[b]; p && n < 64; p = p->next)
			all[n++] = p;
	qsort(all, n, sizeof(all[0]), by_count);
	printf("portable: %d distinct words; top: %s %d, %s %d, %s %d\n", n,
	       all[0]->text, all[0]->count, all[1]->text, all[1]->count,
	       all[2]->text, all[2]->count);
	check("distinct words", n == 13);
	check("most frequent word", strcmp(all[0]->text, "the") == 0 && all[0]->count == 4);
	check("ties in alphabetical order", strcmp(all[1]->text, "dog") == 0 &&
	      strcmp(all[2]->text, "fox") == 0 && all[1]->count == 3);
	check("no environment", getenv("HOME") == NULL);
	for (int i = 0; i < n; i++) {
		free(all[i]->text);
		free(all[i]);
	}
	return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

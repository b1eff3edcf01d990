/*
 * Intrusive list macros in the style of BSD queue(3), written for this
 * kernel: LIST (doubly linked, O(1) remove, head is one pointer) and TAILQ
 * (doubly linked with a tail pointer, for FIFO queues).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>

/* LIST: le_prev points at the previous element's le_next (or the head). */
#define LIST_HEAD(name, type) struct name { struct type *lh_first; }
#define LIST_HEAD_INITIALIZER { NULL }
#define LIST_ENTRY(type) struct { struct type *le_next; struct type **le_prev; }

#define LIST_INIT(head) ((head)->lh_first = NULL)
#define LIST_EMPTY(head) ((head)->lh_first == NULL)
#define LIST_FIRST(head) ((head)->lh_first)
#define LIST_NEXT(elm, field) ((elm)->field.le_next)

#define LIST_INSERT_HEAD(head, elm, field) do {                          \
	if (((elm)->field.le_next = (head)->lh_first) != NULL)           \
		(head)->lh_first->field.le_prev = &(elm)->field.le_next; \
	(head)->lh_first = (elm);                                        \
	(elm)->field.le_prev = &(head)->lh_first;                        \
} while (0)

#define LIST_REMOVE(elm, field) do {                                     \
	if ((elm)->field.le_next != NULL)                                \
		(elm)->field.le_next->field.le_prev = (elm)->field.le_prev; \
	*(elm)->field.le_prev = (elm)->field.le_next;                    \
	(elm)->field.le_next = NULL;                                     \
	(elm)->field.le_prev = NULL;                                     \
} while (0)

#define LIST_FOREACH(var, head, field) \
	for ((var) = LIST_FIRST(head); (var) != NULL; (var) = LIST_NEXT(var, field))

#define LIST_FOREACH_SAFE(var, head, field, tvar)                        \
	for ((var) = LIST_FIRST(head);                                   \
	     (var) != NULL && ((tvar) = LIST_NEXT(var, field), 1);       \
	     (var) = (tvar))

/* TAILQ: a FIFO with O(1) insert at either end and O(1) remove. */
#define TAILQ_HEAD(name, type) \
	struct name { struct type *tqh_first; struct type **tqh_last; }
#define TAILQ_ENTRY(type) \
	struct { struct type *tqe_next; struct type **tqe_prev; }

#define TAILQ_INIT(head) do {                                            \
	(head)->tqh_first = NULL;                                        \
	(head)->tqh_last = &(head)->tqh_first;                           \
} while (0)
#define TAILQ_EMPTY(head) ((head)->tqh_first == NULL)
#define TAILQ_FIRST(head) ((head)->tqh_first)
#define TAILQ_NEXT(elm, field) ((elm)->field.tqe_next)
/* These rely on a head and an entry having the same layout. */
#define TAILQ_LAST(head, headname) \
	(*(((struct headname *)((head)->tqh_last))->tqh_last))
#define TAILQ_PREV(elm, headname, field) \
	(*(((struct headname *)((elm)->field.tqe_prev))->tqh_last))

#define TAILQ_INSERT_TAIL(head, elm, field) do {                         \
	(elm)->field.tqe_next = NULL;                                    \
	(elm)->field.tqe_prev = (head)->tqh_last;                        \
	*(head)->tqh_last = (elm);                                       \
	(head)->tqh_last = &(elm)->field.tqe_next;                       \
} while (0)

#define TAILQ_INSERT_HEAD(head, elm, field) do {                         \
	if (((elm)->field.tqe_next = (head)->tqh_first) != NULL)         \
		(head)->tqh_first->field.tqe_prev = &(elm)->field.tqe_next; \
	else                                                             \
		(head)->tqh_last = &(elm)->field.tqe_next;               \
	(head)->tqh_first = (elm);                                       \
	(elm)->field.tqe_prev = &(head)->tqh_first;                      \
} while (0)

#define TAILQ_INSERT_BEFORE(listelm, elm, field) do {                    \
	(elm)->field.tqe_prev = (listelm)->field.tqe_prev;               \
	(elm)->field.tqe_next = (listelm);                               \
	*(listelm)->field.tqe_prev = (elm);                              \
	(listelm)->field.tqe_prev = &(elm)->field.tqe_next;              \
} while (0)

#define TAILQ_REMOVE(head, elm, field) do {                              \
	if ((elm)->field.tqe_next != NULL)                               \
		(elm)->field.tqe_next->field.tqe_prev = (elm)->field.tqe_prev; \
	else                                                             \
		(head)->tqh_last = (elm)->field.tqe_prev;                \
	*(elm)->field.tqe_prev = (elm)->field.tqe_next;                  \
	(elm)->field.tqe_next = NULL;                                    \
	(elm)->field.tqe_prev = NULL;                                    \
} while (0)

#define TAILQ_FOREACH(var, head, field) \
	for ((var) = TAILQ_FIRST(head); (var) != NULL; (var) = TAILQ_NEXT(var, field))

#define TAILQ_FOREACH_SAFE(var, head, field, tvar)                       \
	for ((var) = TAILQ_FIRST(head);                                  \
	     (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);      \
	     (var) = (tvar))

#endif /* QUEUE_H */

/* batch.h: one job per line of a \n-separated list, on a few threads (probe.c, readfiles.c). */
#ifndef LXCDECK_BATCH_H
#define LXCDECK_BATCH_H

/* Makes the record of item i (malloc'd), or NULL when there is none. */
typedef char *(*batch_job)(void *ctx, int i, const char *item);

/*
 * Splits `items` at newlines and runs `job` on each, on up to `threads`
 * threads (the calling thread is one of them). Returns the records in the
 * items' order, each followed by \x1e, with `missing` for a NULL one; NULL
 * when memory runs out or when `accept(ctx, count)` refuses the count.
 */
__attribute__((visibility("hidden"))) char *lxcdeck_batch(const char *items, int threads, batch_job job, void *ctx, const char *missing,
							   int (*accept)(void *ctx, int count));

#endif

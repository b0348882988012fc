/*
 * batch.c — the thread pool under the first listing's native calls: a few
 * threads take the next item until none is left, each writing its own
 * record, so the answers come back in the order asked whatever finished
 * first.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define BATCH_MAX_THREADS 16

struct batch {
	char **items;
	char **out;
	int n;
	int next;
	pthread_mutex_t lock;
	batch_job job;
	void *ctx;
};

static void *batch_worker(void *arg)
{
	struct batch *b = arg;
	for (;;) {
		pthread_mutex_lock(&b->lock);
		int i = b->next++;
		pthread_mutex_unlock(&b->lock);
		if (i >= b->n)
			return NULL;
		b->out[i] = b->job(b->ctx, i, b->items[i]);
	}
}

static char *join_records(char **out, int n, const char *missing)
{
	size_t len = 1, lmiss = strlen(missing);
	for (int i = 0; i < n; i++)
		len += (out[i] ? strlen(out[i]) : lmiss) + 1;
	char *result = malloc(len);
	if (!result)
		return NULL;
	char *w = result;
	for (int i = 0; i < n; i++) {
		const char *r = out[i] ? out[i] : missing;
		size_t l = strlen(r);
		memcpy(w, r, l);
		w += l;
		*w++ = '\x1e';
	}
	*w = '\0';
	return result;
}

char *lxcdeck_batch(const char *items, int threads, batch_job job, void *ctx, const char *missing, int (*accept)(void *ctx, int count))
{
	struct batch b = { .job = job, .ctx = ctx };
	char *copy = strdup(items);
	char *result = NULL;
	if (!copy)
		return NULL;
	pthread_mutex_init(&b.lock, NULL);
	int cap = 1;
	for (const char *p = copy; *p; p++)
		cap += *p == '\n';
	b.items = calloc((size_t)cap, sizeof(char *));
	b.out = calloc((size_t)cap, sizeof(char *));
	if (!b.items || !b.out)
		goto done;
	for (char *save = NULL, *tok = strtok_r(copy, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save))
		b.items[b.n++] = tok;
	if (accept && !accept(ctx, b.n))
		goto done;
	if (threads > b.n)
		threads = b.n;
	if (threads > BATCH_MAX_THREADS)
		threads = BATCH_MAX_THREADS;
	pthread_t tids[BATCH_MAX_THREADS];
	int started = 0;
	/* the caller is one of the threads; one that cannot be started leaves its share to the others */
	for (; started < threads - 1; started++)
		if (pthread_create(&tids[started], NULL, batch_worker, &b) != 0)
			break;
	batch_worker(&b);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	result = join_records(b.out, b.n, missing);
done:
	if (b.out)
		for (int i = 0; i < b.n; i++)
			free(b.out[i]);
	free(b.out);
	free(b.items);
	free(copy);
	pthread_mutex_destroy(&b.lock);
	return result;
}

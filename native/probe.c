/*
 * probe.c — a first listing's liblxc calls for many containers at once.
 *
 * A cold `ls` (and the TUI's first frame) opened every container one after
 * another: lxc_container_new (config parse), three config items, then the
 * state and init pid, two round trips to each container's monitor. The round
 * trips are mostly waiting for the monitor to be scheduled, so a few threads
 * doing the same calls overlap that waiting. The answers are liblxc's own
 * (the same calls as lister.ts made), so a liblxc/freezer disagreement still
 * shows.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lxc/lxccontainer.h>

#include "lxcdeck.h"

#define PROBE_THREADS 8

struct probe_job {
	const char *lxcpath;
	char **names;
	const char *ask; /* '1': also ask state and init pid */
	char **out;      /* one record per name */
	int n;
	int next;
	pthread_mutex_t lock;
};

static char *item(struct lxc_container *c, const char *key)
{
	int len = c->get_config_item(c, key, NULL, 0);
	if (len < 0)
		return strdup("");
	char *s = calloc(1, (size_t)len + 1);
	if (s && len > 0 && c->get_config_item(c, key, s, len + 1) < 0)
		s[0] = '\0';
	return s ? s : strdup("");
}

/* "1\x1fSTATE\x1fPID\x1fIDMAP(0/1)\x1fSTART.AUTO\x1fGROUPS", or "0" when liblxc cannot open it. */
static char *probe_one(const char *lxcpath, const char *name, int ask)
{
	struct lxc_container *c = lxc_container_new(name, lxcpath);
	if (!c)
		return strdup("0");
	char *idmap = item(c, "lxc.idmap");
	char *autostart = item(c, "lxc.start.auto");
	char *groups = item(c, "lxc.group");
	const char *state = "";
	int pid = -1;
	if (ask) {
		state = c->state(c);
		if (!state)
			state = "STOPPED";
		if (strcmp(state, "STOPPED") != 0)
			pid = c->init_pid(c);
	}
	char *rec = NULL;
	if (asprintf(&rec, "1\x1f%s\x1f%d\x1f%d\x1f%s\x1f%s", state, pid, idmap && idmap[0] ? 1 : 0, autostart ? autostart : "", groups ? groups : "") < 0)
		rec = NULL;
	free(idmap);
	free(autostart);
	free(groups);
	lxc_container_put(c);
	return rec;
}

static void *probe_worker(void *arg)
{
	struct probe_job *j = arg;
	for (;;) {
		pthread_mutex_lock(&j->lock);
		int i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->n)
			return NULL;
		j->out[i] = probe_one(j->lxcpath, j->names[i], j->ask[i] == '1');
	}
}

char *lxcdeck_probe(const char *lxcpath, const char *names, const char *ask)
{
	struct probe_job j = { .lxcpath = lxcpath, .ask = ask };
	pthread_mutex_init(&j.lock, NULL);
	char *copy = strdup(names);
	if (!copy)
		return NULL;
	int cap = 1;
	for (const char *p = copy; *p; p++)
		cap += *p == '\n';
	j.names = calloc((size_t)cap, sizeof(char *));
	j.out = calloc((size_t)cap, sizeof(char *));
	char *result = NULL;
	if (!j.names || !j.out)
		goto done;
	for (char *save = NULL, *tok = strtok_r(copy, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save))
		j.names[j.n++] = tok;
	if ((int)strlen(ask) < j.n)
		goto done;
	pthread_t tids[PROBE_THREADS];
	int started = 0;
	int want = j.n < PROBE_THREADS ? j.n : PROBE_THREADS;
	for (; started < want; started++)
		if (pthread_create(&tids[started], NULL, probe_worker, &j) != 0)
			break;
	if (started == 0)
		probe_worker(&j); /* no threads to be had: the same calls on this one */
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	size_t len = 1;
	for (int i = 0; i < j.n; i++)
		len += (j.out[i] ? strlen(j.out[i]) : 1) + 1;
	result = malloc(len);
	if (!result)
		goto done;
	char *w = result;
	for (int i = 0; i < j.n; i++) {
		const char *r = j.out[i] ? j.out[i] : "0";
		size_t l = strlen(r);
		memcpy(w, r, l);
		w += l;
		*w++ = '\x1e';
	}
	*w = '\0';
done:
	if (j.out)
		for (int i = 0; i < j.n; i++)
			free(j.out[i]);
	free(j.out);
	free(j.names);
	free(copy);
	pthread_mutex_destroy(&j.lock);
	return result;
}

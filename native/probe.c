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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lxc/lxccontainer.h>

#include "batch.h"
#include "lxcdeck.h"

#define PROBE_THREADS 8

struct probe_ctx {
	const char *lxcpath;
	const char *ask; /* '1': also ask state and init pid */
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

static char *probe_job(void *ctx, int i, const char *name)
{
	struct probe_ctx *p = ctx;
	return probe_one(p->lxcpath, name, p->ask[i] == '1');
}

static int probe_accept(void *ctx, int count)
{
	return (int)strlen(((struct probe_ctx *)ctx)->ask) >= count;
}

char *lxcdeck_probe(const char *lxcpath, const char *names, const char *ask)
{
	struct probe_ctx p = { .lxcpath = lxcpath, .ask = ask };
	return lxcdeck_batch(names, PROBE_THREADS, probe_job, &p, "0", probe_accept);
}

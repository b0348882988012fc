/*
 * shim.c — flat, non-forking wrappers over liblxc (see lxcdeck.h).
 * C does the calls and frees what liblxc allocates; policy lives in TypeScript.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>
#include <lxc/version.h>

#include "lxcdeck.h"

/* A growable string; failure to grow poisons it (data == NULL). */
struct sbuf {
	char *data;
	size_t len, cap;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!b->data && b->cap)
		return; /* already poisoned */
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p) {
			free(b->data);
			b->data = NULL;
			b->cap = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

int lxcdeck_init(const char *logfile, const char *level)
{
	struct lxc_log log = {
		.name = "lxcdeck",
		.lxcpath = NULL,
		.file = logfile ? logfile : "none",
		.level = level ? level : "ERROR",
		.prefix = "lxcdeck",
		.quiet = true, /* never write to stderr: it is the TUI's terminal */
	};
	return lxc_log_init(&log) == 0 ? 0 : -1;
}

const char *lxcdeck_lxc_version(void)
{
	return lxc_get_version();
}

char *lxcdeck_default_lxcpath(void)
{
	const char *p = lxc_get_global_config_item("lxc.lxcpath");
	return p ? strdup(p) : NULL;
}

void lxcdeck_free(void *p)
{
	free(p);
}

typedef int (*list_fn)(const char *, char ***, struct lxc_container ***);

static list_fn pick_list(int which)
{
	switch (which) {
	case 1:
		return list_active_containers;
	case 2:
		return list_defined_containers;
	default:
		return list_all_containers;
	}
}

char *lxcdeck_list(const char *lxcpath, int which)
{
	char **names = NULL;
	int n = pick_list(which)(lxcpath, &names, NULL);
	if (n < 0)
		return NULL;
	struct sbuf b = {0};
	sbuf_puts(&b, "");
	for (int i = 0; i < n; i++) {
		sbuf_puts(&b, names[i]);
		sbuf_puts(&b, "\n");
		free(names[i]);
	}
	free(names);
	return b.data;
}

/* get_config_item into a fresh buffer; NULL when the key is invalid. */
static char *config_item(struct lxc_container *c, const char *key)
{
	int len = c->get_config_item(c, key, NULL, 0);
	if (len < 0)
		return NULL;
	char *out = calloc(1, (size_t)len + 1);
	if (!out)
		return NULL;
	if (len > 0 && c->get_config_item(c, key, out, len + 1) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

struct lxc_container *lxcdeck_open(const char *name, const char *lxcpath)
{
	return lxc_container_new(name, lxcpath);
}

void lxcdeck_close(struct lxc_container *c)
{
	if (c)
		lxc_container_put(c);
}

int lxcdeck_is_defined(struct lxc_container *c)
{
	return c->is_defined(c) ? 1 : 0;
}

int lxcdeck_is_running(struct lxc_container *c)
{
	return c->is_running(c) ? 1 : 0;
}

const char *lxcdeck_state(struct lxc_container *c)
{
	const char *s = c->state(c);
	return s ? s : "STOPPED";
}

int lxcdeck_init_pid(struct lxc_container *c)
{
	return c->init_pid(c);
}

int lxcdeck_may_control(struct lxc_container *c)
{
	return c->may_control(c) ? 1 : 0;
}

char *lxcdeck_config_file_name(struct lxc_container *c)
{
	return c->config_file_name(c); /* already malloc'd by liblxc */
}

char *lxcdeck_get_config_item(struct lxc_container *c, const char *key)
{
	return config_item(c, key);
}

char *lxcdeck_get_running_config_item(struct lxc_container *c, const char *key)
{
	return c->get_running_config_item(c, key); /* malloc'd by liblxc */
}

int lxcdeck_set_config_item(struct lxc_container *c, const char *key, const char *value)
{
	return c->set_config_item(c, key, value) ? 0 : -1;
}

int lxcdeck_clear_config_item(struct lxc_container *c, const char *key)
{
	return c->clear_config_item(c, key) ? 0 : -1;
}

int lxcdeck_save_config(struct lxc_container *c, const char *alt_file)
{
	return c->save_config(c, alt_file) ? 0 : -1;
}

int lxcdeck_config_item_is_supported(const char *key)
{
	return lxc_config_item_is_supported(key) ? 1 : 0;
}

char *lxcdeck_get_cgroup_item(struct lxc_container *c, const char *key)
{
	int len = c->get_cgroup_item(c, key, NULL, 0);
	if (len < 0)
		return NULL;
	char *out = calloc(1, (size_t)len + 1);
	if (!out)
		return NULL;
	if (len > 0 && c->get_cgroup_item(c, key, out, len + 1) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

int lxcdeck_set_cgroup_item(struct lxc_container *c, const char *key, const char *value)
{
	return c->set_cgroup_item(c, key, value) ? 0 : -1;
}

char *lxcdeck_console_log(struct lxc_container *c, int clear, uint64_t max, uint64_t *len)
{
	uint64_t read_max = max;
	struct lxc_console_log log = {
		.clear = clear != 0,
		.read = true,
		.read_max = &read_max,
		.data = NULL,
	};
	*len = 0;
	if (c->console_log(c, &log) < 0)
		return NULL;
	if (!log.data)
		return strdup("");
	*len = read_max;
	return log.data; /* malloc'd by liblxc */
}

int lxcdeck_stop(struct lxc_container *c)
{
	return c->stop(c) ? 0 : -1;
}

int lxcdeck_shutdown(struct lxc_container *c, int timeout)
{
	return c->shutdown(c, timeout) ? 0 : -1;
}

int lxcdeck_freeze(struct lxc_container *c)
{
	return c->freeze(c) ? 0 : -1;
}

int lxcdeck_unfreeze(struct lxc_container *c)
{
	return c->unfreeze(c) ? 0 : -1;
}

int lxcdeck_wait(struct lxc_container *c, const char *state, int timeout)
{
	return c->wait(c, state, timeout) ? 0 : -1;
}

/*
 * fd 2 for liblxc. It writes errors there from whichever thread it runs on
 * (its log state is partly per thread; koffi's async calls run on workers),
 * and children inherit it; lxcdeck keeps its own copy of the terminal.
 */
int lxcdeck_stderr_save(void)
{
	return fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
}

int lxcdeck_stderr_set(int fd)
{
	return dup2(fd, STDERR_FILENO) < 0 ? -1 : 0;
}

/* fd 2 becomes the write end of a pipe (non-blocking: a full pipe drops a
 * line rather than stalling a liblxc call); returns the read end. */
int lxcdeck_stderr_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0 || dup2(p[1], STDERR_FILENO) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

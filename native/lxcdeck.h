/*
 * lxcdeck.h — the whole native boundary of lxcdeck, in one place.
 *
 * A flat shim over liblxc's function table (the go-lxc habit): plain C types,
 * no policy. Only calls that do NOT fork the calling process belong here; the
 * forking ones (start, attach, console, get_ips) live in lxcdeck-helper.
 *
 * Memory: every `char *` returned by a lxcdeck_* function is malloc'd and
 * must be released with lxcdeck_free(). Handles from lxcdeck_open() must be
 * released with lxcdeck_close() (which calls lxc_container_put).
 *
 * src/lxc/native.ts mirrors these declarations; keep them in step.
 */
#ifndef LXCDECK_H
#define LXCDECK_H

#include <stdint.h>

struct lxc_container;

/* Initialise liblxc logging to `logfile` (never stderr). 0 on success. */
int lxcdeck_init(const char *logfile, const char *level);
const char *lxcdeck_lxc_version(void);
/* liblxc's default lxcpath for the calling user (malloc'd). */
char *lxcdeck_default_lxcpath(void);
void lxcdeck_free(void *p);

/* which: 0 = all, 1 = active, 2 = defined. Newline-separated names, or NULL. */
char *lxcdeck_list(const char *lxcpath, int which);
/* probe.c: for each \n-separated name, lxc_container_new + lxc.idmap/lxc.start.auto/lxc.group
 * (+ state and init pid where ask[i] == '1'), on a few threads; one \x1e-ended record per name. */
char *lxcdeck_probe(const char *lxcpath, const char *names, const char *ask);
/* readfiles.c: each \n-separated path read on a few threads; per path '1' + its text, or '0'
 * (unreadable, or holding \x1e or NUL), then \x1e. */
char *lxcdeck_read_files(const char *paths);

struct lxc_container *lxcdeck_open(const char *name, const char *lxcpath);
void lxcdeck_close(struct lxc_container *c);

int lxcdeck_is_defined(struct lxc_container *c);
int lxcdeck_is_running(struct lxc_container *c);
/* Static string owned by liblxc: do not free. */
const char *lxcdeck_state(struct lxc_container *c);
int lxcdeck_init_pid(struct lxc_container *c);
int lxcdeck_may_control(struct lxc_container *c);
char *lxcdeck_config_file_name(struct lxc_container *c);

/* NULL when the key is invalid; "" when it is valid but unset. */
char *lxcdeck_get_config_item(struct lxc_container *c, const char *key);
char *lxcdeck_get_running_config_item(struct lxc_container *c, const char *key);
int lxcdeck_set_config_item(struct lxc_container *c, const char *key, const char *value);
int lxcdeck_clear_config_item(struct lxc_container *c, const char *key);
int lxcdeck_save_config(struct lxc_container *c, const char *alt_file);
int lxcdeck_config_item_is_supported(const char *key);

char *lxcdeck_get_cgroup_item(struct lxc_container *c, const char *key);
int lxcdeck_set_cgroup_item(struct lxc_container *c, const char *key, const char *value);

/* Reads (and optionally clears) the console ring buffer; *len gets the size. */
char *lxcdeck_console_log(struct lxc_container *c, int clear, uint64_t max, uint64_t *len);

/* Calls that can wait: the TypeScript side only calls these asynchronously. */
int lxcdeck_stop(struct lxc_container *c);
int lxcdeck_shutdown(struct lxc_container *c, int timeout);
int lxcdeck_freeze(struct lxc_container *c);
int lxcdeck_unfreeze(struct lxc_container *c);
int lxcdeck_wait(struct lxc_container *c, const char *state, int timeout);

/* fd 2 for liblxc: a copy of the current one, point it at fd, or at a new pipe (returns the read end). */
int lxcdeck_stderr_save(void);
int lxcdeck_stderr_set(int fd);
int lxcdeck_stderr_pipe(void);

#endif

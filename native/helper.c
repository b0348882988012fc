/*
 * lxcdeck-helper — every liblxc call that forks or changes process state.
 *
 * Node must never fork itself (DESIGN.md rule 1), so start, attach, console
 * and get-ips run here, in a process Node spawns.
 *
 *   lxcdeck-helper start   NAME LXCPATH [TIMEOUT]
 *   lxcdeck-helper attach  NAME LXCPATH [--keep-env] [--env K=V]... [-- CMD ARGS...]
 *   lxcdeck-helper console NAME LXCPATH [TTY] [ESCAPE]
 *   lxcdeck-helper get-ips NAME LXCPATH
 *
 * Success prints one JSON line on stdout (start, get-ips). A failure prints
 * one JSON line on stderr, {"error":CODE,"message":...}, and exits with the
 * code's own status (see enum below). attach exits with the command's status.
 * The liblxc log goes to $LXCDECK_LXC_LOG (never to the terminal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>

enum helper_status {
	HELPER_USAGE = 120,
	HELPER_NOT_DEFINED = 121,
	HELPER_WRONG_STATE = 122,
	HELPER_FAILED = 123,
	HELPER_INTERNAL = 124,
};

static const char *status_code(int status)
{
	switch (status) {
	case HELPER_USAGE:
		return "usage";
	case HELPER_NOT_DEFINED:
		return "not_defined";
	case HELPER_WRONG_STATE:
		return "wrong_state";
	case HELPER_FAILED:
		return "failed";
	default:
		return "internal";
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static int fail(int status, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	fprintf(stderr, "{\"error\":\"%s\",\"message\":", status_code(status));
	json_string(stderr, msg);
	fprintf(stderr, "}\n");
	return status;
}

static void init_log(const char *name, const char *lxcpath)
{
	const char *file = getenv("LXCDECK_LXC_LOG");
	struct lxc_log log = {
		.name = name,
		.lxcpath = lxcpath,
		.file = file && *file ? file : "none",
		.level = "ERROR",
		.prefix = "lxcdeck-helper",
		.quiet = true,
	};
	lxc_log_init(&log);
}

static struct lxc_container *open_defined(const char *name, const char *lxcpath, int *status)
{
	struct lxc_container *c = lxc_container_new(name, lxcpath);
	if (!c) {
		*status = fail(HELPER_INTERNAL, "liblxc could not open container %s", name);
		return NULL;
	}
	if (!c->is_defined(c)) {
		*status = fail(HELPER_NOT_DEFINED, "container %s is not defined", name);
		lxc_container_put(c);
		return NULL;
	}
	return c;
}

static int cmd_start(struct lxc_container *c, int argc, char **argv)
{
	int timeout = argc > 0 ? atoi(argv[0]) : 30;
	if (c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is already running", c->name);
	c->want_daemonize(c, true);
	/* the daemonized monitor must not hold our caller's pipes open */
	c->want_close_all_fds(c, true);
	if (!c->start(c, 0, NULL))
		return fail(HELPER_FAILED, "liblxc failed to start %s", c->name);
	if (!c->wait(c, "RUNNING", timeout))
		return fail(HELPER_FAILED, "%s did not reach RUNNING in time", c->name);
	printf("{\"ok\":true,\"pid\":%d}\n", c->init_pid(c));
	return 0;
}

/* Close every inherited descriptor above stderr so the attached program sees only 0, 1, 2. */
static void close_inherited_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
		close((int)fd);
}

static int cmd_attach(struct lxc_container *c, int argc, char **argv)
{
	lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
	char *env[64];
	int nenv = 0;
	int i = 0;

	opts.env_policy = LXC_ATTACH_CLEAR_ENV;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--keep-env") == 0) {
			opts.env_policy = LXC_ATTACH_KEEP_ENV;
		} else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc) {
			if (nenv < 63)
				env[nenv++] = argv[++i];
		} else {
			return fail(HELPER_USAGE, "attach: unknown option %s", argv[i]);
		}
	}
	env[nenv] = NULL;
	opts.extra_env_vars = nenv ? env : NULL;

	if (!c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is not running", c->name);

	pid_t pid = -1;
	int ret;
	if (i < argc) {
		lxc_attach_command_t cmd = {.program = argv[i], .argv = &argv[i]};
		ret = c->attach(c, lxc_attach_run_command, &cmd, &opts, &pid);
	} else {
		ret = c->attach(c, lxc_attach_run_shell, NULL, &opts, &pid);
	}
	if (ret < 0 || pid < 0)
		return fail(HELPER_FAILED, "liblxc failed to attach to %s", c->name);

	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return fail(HELPER_INTERNAL, "waitpid failed for %s", c->name);
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + WTERMSIG(wstatus);
}

static int cmd_console(struct lxc_container *c, int argc, char **argv)
{
	int tty = argc > 0 ? atoi(argv[0]) : 0;
	int escape = argc > 1 ? atoi(argv[1]) : 1; /* 1 = Ctrl-a */
	if (!c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is not running", c->name);
	if (c->console(c, tty, 0, 1, 2, escape) < 0)
		return fail(HELPER_FAILED, "liblxc could not open the console of %s", c->name);
	return 0;
}

static void print_ips(struct lxc_container *c, const char *family)
{
	char **ips = c->get_ips(c, NULL, family, 0);
	printf("[");
	for (int i = 0; ips && ips[i]; i++) {
		if (i)
			printf(",");
		json_string(stdout, ips[i]);
		free(ips[i]);
	}
	printf("]");
	free(ips);
}

static int cmd_get_ips(struct lxc_container *c)
{
	if (!c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is not running", c->name);
	printf("{\"ipv4\":");
	print_ips(c, "inet");
	printf(",\"ipv6\":");
	print_ips(c, "inet6");
	printf("}\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return fail(HELPER_USAGE,
			    "usage: lxcdeck-helper start|attach|console|get-ips NAME LXCPATH [ARGS...]%s", "");
	const char *verb = argv[1], *name = argv[2], *lxcpath = argv[3];

	if (strcmp(verb, "attach") == 0 || strcmp(verb, "console") == 0)
		close_inherited_fds();
	init_log(name, lxcpath);

	int status = 0;
	struct lxc_container *c = open_defined(name, lxcpath, &status);
	if (!c)
		return status;
	if (strcmp(verb, "start") == 0)
		status = cmd_start(c, argc - 4, argv + 4);
	else if (strcmp(verb, "attach") == 0)
		status = cmd_attach(c, argc - 4, argv + 4);
	else if (strcmp(verb, "console") == 0)
		status = cmd_console(c, argc - 4, argv + 4);
	else if (strcmp(verb, "get-ips") == 0)
		status = cmd_get_ips(c);
	else
		status = fail(HELPER_USAGE, "unknown verb %s", verb);
	fflush(stdout);
	lxc_container_put(c);
	return status;
}

/*
 * lxcdeck-helper — every liblxc call that forks or changes process state.
 *
 * Node must never fork itself (DESIGN.md rule 1), so start, attach, console,
 * get-ips and clone run here, in a process Node spawns.
 *
 *   lxcdeck-helper start   NAME LXCPATH [TIMEOUT]
 *   lxcdeck-helper attach  NAME LXCPATH [--keep-env] [--stdio] [--env K=V]... [-- CMD ARGS...]
 *   lxcdeck-helper console NAME LXCPATH [TTY] [ESCAPE]
 *   lxcdeck-helper get-ips NAME LXCPATH
 *   lxcdeck-helper clone   NAME LXCPATH NEWNAME [OPTIONS] (clone.c)
 *   lxcdeck-helper serve   (clone requests on stdin, serve.c)
 *
 * attach and console give the program a pty from the container's own devpts
 * and proxy it (proxy.c): no terminal of the host ever enters the container
 * (TIOCSTI, CVE-2016-10124). attach --stdio passes fds 0-2 straight through
 * instead, and refuses if any of them is a terminal.
 *
 * Success prints one JSON line on stdout (start, get-ips). A failure prints
 * one JSON line, {"error":CODE,"message":...}, and exits with the code's own
 * status (see enum below); attach exits with the program's status.
 * With LXCDECK_STATUS_FD set, attach and console report on that fd instead:
 * {"ready":true[,"tty":N]} once connected, then exactly one of {"exit":N},
 * {"signal":N}, {"end":"detached"|"closed"} or the error line, so a failure
 * can never pass for the program's own exit status. LXCDECK_CONTROL_FD
 * carries window sizes from lxcdeck as "ROWS COLS\n" lines (when the
 * helper's stdin is a pipe, not a tty), and its closing means lxcdeck is gone.
 * LXCDECK_STATUS_FILE names a file for the same reports, for a caller that
 * cannot pass an fd (a pane runs the helper in node-pty).
 * The liblxc log goes to $LXCDECK_LXC_LOG (never to the terminal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>

#include "clone.h"
#include "serve.h"
#include "proxy.h"
#include "status.h"


static void close_fds_from(unsigned from, unsigned to)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, from, to, 0U) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = from; fd < (max > 0 ? max : 1024) && fd <= (long)to; fd++)
		close((int)fd);
}

/* An fd number from the environment, kept from the program (cloexec, variable removed). */
static int env_fd(const char *name)
{
	const char *v = getenv(name);
	int fd = v && *v ? atoi(v) : -1;
	unsetenv(name);
	if (fd < 3 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return fd;
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

/* A status file for callers that cannot hand over a pipe (a pane's node-pty): created fresh, never followed. */
static int env_file(const char *name)
{
	const char *v = getenv(name);
	int fd = v && *v ? open(v, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
	unsetenv(name);
	return fd;
}

/* Closes every descriptor above stderr except the status and control pipes. */
static void close_inherited_fds(void)
{
	int keep[2] = {status_fd < control_fd ? status_fd : control_fd, status_fd < control_fd ? control_fd : status_fd};
	unsigned from = 3;
	for (int k = 0; k < 2; k++) {
		if (keep[k] < (int)from)
			continue;
		if (keep[k] > (int)from)
			close_fds_from(from, (unsigned)keep[k] - 1);
		from = (unsigned)keep[k] + 1;
	}
	close_fds_from(from, ~0U);
}

struct exec_payload {
	char **argv; /* NULL: the user's shell */
	sigset_t mask;
};

/*
 * Runs in the attached process, inside the container, before the program:
 * the pty from the container's devpts (already fds 0-2) becomes its
 * controlling terminal in a session of its own, nothing else stays open.
 */
static int exec_in_container(void *data)
{
	struct exec_payload *p = data;
	(void)setsid(); /* EPERM: liblxc made it a session leader already */
	(void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
	close_fds_from(3, ~0U);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &p->mask, NULL);
	if (p->argv) {
		lxc_attach_command_t cmd = {.program = p->argv[0], .argv = p->argv};
		return lxc_attach_run_command(&cmd);
	}
	return lxc_attach_run_shell(NULL);
}

static int wait_child(pid_t pid, const char *name)
{
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return fail(HELPER_INTERNAL, "waitpid failed for %s", name);
	return report_wstatus(wstatus);
}

/* A pty master from the container's own devpts instance, and its other side. */
static int open_container_pty(struct lxc_container *c, int *pts)
{
	int devpts = c->devpts_fd(c);
	if (devpts < 0)
		return -1;
	int ptx = openat(devpts, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	close(devpts);
	if (ptx < 0)
		return -1;
	int unlock = 0;
	if (ioctl(ptx, TIOCSPTLCK, &unlock) < 0 || (*pts = ioctl(ptx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		close(ptx);
		return -1;
	}
	return ptx;
}

static int proxy_and_report(struct proxy_opts *po)
{
	struct proxy_result r = {0};
	proxy_raw_tty(po->in_fd);
	proxy_run(po, &r);
	proxy_restore_tty();
	switch (r.end) {
	case PROXY_CHILD_EXITED:
		return report_wstatus(r.wstatus);
	case PROXY_DETACHED:
		return report_end("detached", 0);
	case PROXY_ERROR:
		return fail(HELPER_INTERNAL, "the terminal proxy failed%s", "");
	default:
		if (po->child > 0 && r.wstatus)
			return report_wstatus(r.wstatus);
		return report_end("closed", r.signo);
	}
}

static int cmd_attach(struct lxc_container *c, int argc, char **argv)
{
	lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
	char *env[64];
	int nenv = 0;
	int i = 0;
	bool stdio = false;

	opts.env_policy = LXC_ATTACH_CLEAR_ENV;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--keep-env") == 0) {
			opts.env_policy = LXC_ATTACH_KEEP_ENV;
		} else if (strcmp(argv[i], "--stdio") == 0) {
			stdio = true;
		} else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc) {
			if (nenv < 63)
				env[nenv++] = argv[++i];
		} else {
			return fail(HELPER_USAGE, "attach: unknown option %s", argv[i]);
		}
	}
	env[nenv] = NULL;
	opts.extra_env_vars = nenv ? env : NULL;
	/* a terminal never goes into the container: --stdio is for pipes and files only */
	if (stdio && (isatty(0) || isatty(1) || isatty(2)))
		return fail(HELPER_USAGE, "attach --stdio: fds 0-2 must not be terminals%s", "");

	if (!c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is not running", c->name);

	struct exec_payload payload = {.argv = i < argc ? &argv[i] : NULL};
	int pts = -1, ptx = -1;
	if (!stdio) {
		ptx = open_container_pty(c, &pts);
		if (ptx < 0 && errno == ENOSPC) {
			char *max = c->get_running_config_item(c, "lxc.pty.max");
			int status = failf(HELPER_NO_PTY, "every terminal of %s is in use (lxc.pty.max = %s: each attach takes one)", c->name, max && *max ? max : "?");
			free(max);
			return status;
		}
		if (ptx < 0)
			return failf(HELPER_FAILED, "cannot open a terminal in %s's own devpts (%s): check lxc.pty.max in its config", c->name, strerror(errno));
		opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = pts;
	}
	struct proxy_opts po = {.in_fd = 0, .out_fd = 1, .ptx = ptx, .child = -1, .escape = 0, .control_fd = control_fd, .hup_fd = -1};
	if (!stdio)
		proxy_initial_size(&po);
	/* blocked from here on, so no SIGCHLD is lost; the program gets the old mask back */
	proxy_block_signals(&payload.mask);

	pid_t pid = -1;
	int ret = c->attach(c, exec_in_container, &payload, &opts, &pid);
	if (pts >= 0)
		close(pts);
	if (ret < 0 || pid < 0) {
		if (ptx >= 0)
			close(ptx);
		return fail(HELPER_FAILED, "liblxc failed to attach to %s", c->name);
	}
	report_ready(-1);
	if (stdio)
		return wait_child(pid, c->name);
	po.child = pid;
	return proxy_and_report(&po);
}

/* lxc.tty.max of the running container, or -1. */
static int tty_max(struct lxc_container *c)
{
	char *v = c->get_running_config_item(c, "lxc.tty.max");
	int n = v ? atoi(v) : -1;
	free(v);
	return n;
}

static int cmd_console(struct lxc_container *c, int argc, char **argv)
{
	int tty = argc > 0 ? atoi(argv[0]) : 0;
	int escape = argc > 1 ? atoi(argv[1]) : 1; /* 1 = Ctrl-a, 0 = none */
	if (!c->is_running(c))
		return fail(HELPER_WRONG_STATE, "container %s is not running", c->name);
	int max = tty_max(c);
	if (tty < 0 || (max >= 0 && tty > max))
		return failf(HELPER_BAD_TTY, "container %s has no tty %d (lxc.tty.max = %d)", c->name, tty, max);
	int ttynum = tty, ptx = -1;
	int sock = c->console_getfd(c, &ttynum, &ptx);
	if (sock < 0 || ptx < 0)
		return failf(HELPER_WRONG_STATE, "tty %d of %s is busy (another console holds it)", tty, c->name);
	report_ready(ttynum);
	sigset_t old;
	proxy_block_signals(&old);
	struct proxy_opts po = {.in_fd = 0, .out_fd = 1, .ptx = ptx, .child = -1, .escape = escape, .control_fd = control_fd, .hup_fd = sock};
	proxy_initial_size(&po);
	int status = proxy_and_report(&po);
	close(sock);
	return status;
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
	if (argc == 2 && strcmp(argv[1], "serve") == 0)
		return cmd_serve();
	return run_verb(argc, argv);
}

int run_verb(int argc, char **argv)
{
	if (argc < 4)
		return fail(HELPER_USAGE,
			    "usage: lxcdeck-helper start|attach|console|get-ips|clone NAME LXCPATH [ARGS...] | serve%s", "");
	const char *verb = argv[1], *name = argv[2], *lxcpath = argv[3];

	if (strcmp(verb, "attach") == 0 || strcmp(verb, "console") == 0) {
		status_fd = env_fd("LXCDECK_STATUS_FD");
		if (status_fd < 0)
			status_fd = env_file("LXCDECK_STATUS_FILE");
		control_fd = env_fd("LXCDECK_CONTROL_FD");
		close_inherited_fds();
	}
	init_log(name, lxcpath);
	unsetenv("LXCDECK_LXC_LOG");

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
	else if (strcmp(verb, "clone") == 0)
		status = cmd_clone(c, lxcpath, argc - 4, argv + 4);
	else
		status = fail(HELPER_USAGE, "unknown verb %s", verb);
	fflush(stdout);
	lxc_container_put(c);
	return status;
}

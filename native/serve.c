/*
 * lxcdeck-helper serve: clone requests one after another from one helper
 * process, so a long-lived lxcdeck (the TUI) pays the helper's exec and
 * liblxc's loading once, not per clone.
 *
 * A request on stdin is the clone's arguments (NAME LXCPATH NEWNAME
 * [OPTIONS], as for `lxcdeck-helper clone`), each ended by a NUL, the
 * request by an empty argument. Each runs in a child of its own (no liblxc
 * state carries over from one to the next) whose report lines go to stdout
 * ({"ok":true}, or the error line), then the server writes {"done":STATUS}.
 * EOF on stdin (lxcdeck gone) ends the server.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serve.h"
#include "status.h"

#define MAX_ARGS 256

/* The end of the request that starts at buf (the NUL after its empty argument), or NULL while incomplete. */
static char *request_end(char *buf, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\0')
			continue;
		if (i == start)
			return buf + i;
		start = i + 1;
	}
	return NULL;
}

static int run_request(char *buf, char *end)
{
	char *argv[MAX_ARGS + 3] = {"lxcdeck-helper", "clone"};
	int argc = 2;
	for (char *p = buf; p < end && argc < MAX_ARGS + 2; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return fail(HELPER_INTERNAL, "serve: fork failed%s", "");
	if (pid == 0) {
		/* failures as lines on stdout, with the report they belong to */
		status_fd = STDOUT_FILENO;
		int status = run_verb(argc, argv);
		fflush(stdout);
		_exit(status);
	}
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return HELPER_INTERNAL;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

int cmd_serve(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return HELPER_INTERNAL;
	for (;;) {
		char *end;
		while ((end = request_end(buf, len))) {
			int status = run_request(buf, end);
			printf("{\"done\":%d}\n", status);
			fflush(stdout);
			size_t used = (size_t)(end - buf) + 1;
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (len == cap)
			return fail(HELPER_USAGE, "serve: request too long%s", "");
		ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
	return 0;
}

/* The helper's reports (see status.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status.h"

int status_fd = -1;
int control_fd = -1;

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
	case HELPER_BAD_TTY:
		return "bad_tty";
	case HELPER_NO_PTY:
		return "no_pty";
	default:
		return "internal";
	}
}

void json_string(FILE *f, const char *s)
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

/* One JSON line on the status fd (written whole: the reader splits on newlines). */
static void status_line(const char *line)
{
	size_t len = strlen(line), off = 0;
	while (off < len) {
		ssize_t n = write(status_fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static int failv(int status, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	if (!f)
		return status;
	fprintf(f, "{\"error\":\"%s\",\"message\":", status_code(status));
	json_string(f, msg);
	fprintf(f, "}\n");
	fclose(f);
	if (status_fd >= 0)
		status_line(line);
	else
		fputs(line, stderr);
	free(line);
	return status;
}

int failf(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	failv(status, fmt, ap);
	va_end(ap);
	return status;
}

int fail(int status, const char *fmt, const char *arg)
{
	return failf(status, fmt, arg ? arg : "");
}

void report_ready(int tty)
{
	char line[64];
	if (status_fd < 0)
		return;
	if (tty >= 0)
		snprintf(line, sizeof(line), "{\"ready\":true,\"tty\":%d}\n", tty);
	else
		snprintf(line, sizeof(line), "{\"ready\":true}\n");
	status_line(line);
}

int report_wstatus(int wstatus)
{
	char line[64];
	bool exited = WIFEXITED(wstatus);
	int v = exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
	if (status_fd >= 0) {
		snprintf(line, sizeof(line), exited ? "{\"exit\":%d}\n" : "{\"signal\":%d}\n", v);
		status_line(line);
	}
	return exited ? v : 128 + v;
}

int report_end(const char *how, int signo)
{
	char line[96];
	if (status_fd >= 0) {
		snprintf(line, sizeof(line), "{\"end\":\"%s\",\"signal\":%d}\n", how, signo);
		status_line(line);
	}
	return 0;
}


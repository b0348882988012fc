/*
 * How the helper reports: one JSON line per event, on the status fd when
 * lxcdeck gave one (LXCDECK_STATUS_FD), else failures on stderr. The exit
 * status says the same for callers without the status fd (the TUI's panes).
 */
#ifndef LXCDECK_STATUS_H
#define LXCDECK_STATUS_H

#include <stdio.h>

enum helper_status {
	HELPER_USAGE = 120,
	HELPER_NOT_DEFINED = 121,
	HELPER_WRONG_STATE = 122,
	HELPER_FAILED = 123,
	HELPER_INTERNAL = 124,
	HELPER_BAD_TTY = 125,
	HELPER_NO_PTY = 126, /* every pty of the container's devpts is taken (lxc.pty.max) */
};

extern int status_fd;
extern int control_fd;

int failf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(int status, const char *fmt, const char *arg);
void json_string(FILE *f, const char *s);
void report_ready(int tty);
/* The program's own status: as the shell reports it (128 + signal for a signal death). */
int report_wstatus(int wstatus);
int report_end(const char *how, int signo);

#endif

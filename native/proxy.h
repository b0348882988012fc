/*
 * The helper's terminal proxy: copies bytes between the caller's side (a
 * host pty or pipes from lxcdeck) and a pty master that belongs to the
 * container, forwards window sizes, and waits for the attached program.
 * System calls only; what to filter and how to report is lxcdeck's policy.
 */
#ifndef LXCDECK_PROXY_H
#define LXCDECK_PROXY_H

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>

struct proxy_opts {
	int in_fd;      /* keys from the user (a tty in a pane, a pipe from the CLI) */
	int out_fd;     /* where the container's output goes */
	int ptx;        /* the pty master (the container's devpts) */
	pid_t child;    /* attached program to wait for, or -1 (console) */
	int escape;     /* console: Ctrl-<escape> q detaches; 0: none */
	int control_fd; /* window sizes as "ROWS COLS\n" lines, or -1 */
	int hup_fd;     /* console: liblxc's command socket, hangs up when the container stops; or -1 */
};

enum proxy_end {
	PROXY_CHILD_EXITED, /* wstatus is set */
	PROXY_DETACHED,     /* the user typed the escape */
	PROXY_HANGUP,       /* the other side went away (pane closed, lxcdeck gone, console closed) */
	PROXY_ERROR,
};

struct proxy_result {
	enum proxy_end end;
	int wstatus;
	int signo; /* the signal that ended the proxy, if one did */
};

/* Blocks the signals the proxy handles (before anything forks, so children can restore them). */
int proxy_block_signals(sigset_t *old);

/* Sets the pty's window size from the caller's tty, or from the first control line (waits up to 1 s). */
void proxy_initial_size(const struct proxy_opts *o);

/* Raw mode on the caller's tty (if in_fd is one); proxy_restore_tty undoes it. */
void proxy_raw_tty(int fd);
void proxy_restore_tty(void);

int proxy_run(const struct proxy_opts *o, struct proxy_result *r);

#endif

/* The helper's terminal proxy (see proxy.h). */
#define _GNU_SOURCE
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
/* after the program exits: drain what it left in the pty, but never wait for a background writer */
#define DRAIN_IDLE_MS 100
#define DRAIN_MAX_MS 2000
#define REAP_MS 3000

struct buf {
	char data[BUF_SIZE];
	size_t start, len;
};

static struct termios saved_tios;
static int saved_tty = -1;

/* control lines can arrive in pieces: what is left of the last read */
static char ctl_line[64];
static size_t ctl_len;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static sigset_t handled(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigaddset(&s, SIGWINCH);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGQUIT);
	sigaddset(&s, SIGPIPE); /* a write to a closed pipe returns EPIPE instead */
	return s;
}

int proxy_block_signals(sigset_t *old)
{
	sigset_t s = handled();
	return sigprocmask(SIG_BLOCK, &s, old);
}

static void set_size(int ptx, unsigned rows, unsigned cols)
{
	if (rows == 0 || cols == 0 || rows > 10000 || cols > 10000)
		return;
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	ioctl(ptx, TIOCSWINSZ, &ws);
}

static void copy_size(int from_tty, int ptx)
{
	struct winsize ws;
	if (ioctl(from_tty, TIOCGWINSZ, &ws) == 0)
		ioctl(ptx, TIOCSWINSZ, &ws);
}

/* Reads what the control pipe holds; returns false once lxcdeck has closed it. */
static bool read_control(int fd, int ptx)
{
	char chunk[256];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			if (ctl_len < sizeof(ctl_line) - 1)
				ctl_line[ctl_len++] = chunk[i];
			continue;
		}
		ctl_line[ctl_len] = '\0';
		unsigned rows, cols;
		if (sscanf(ctl_line, "%u %u", &rows, &cols) == 2)
			set_size(ptx, rows, cols);
		ctl_len = 0;
	}
	return true;
}

void proxy_initial_size(const struct proxy_opts *o)
{
	if (isatty(o->in_fd)) {
		copy_size(o->in_fd, o->ptx);
		return;
	}
	if (o->control_fd < 0)
		return;
	struct pollfd p = {.fd = o->control_fd, .events = POLLIN};
	if (poll(&p, 1, 1000) > 0 && (p.revents & POLLIN))
		read_control(o->control_fd, o->ptx);
}

void proxy_raw_tty(int fd)
{
	struct termios t;
	if (!isatty(fd) || tcgetattr(fd, &t) < 0)
		return;
	saved_tios = t;
	saved_tty = fd;
	/* the settings ssh and lxc use: no echo, no signals, bytes as they come */
	t.c_iflag |= IGNPAR;
	t.c_iflag &= ~(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF);
	t.c_lflag &= ~(TOSTOP | ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSAFLUSH, &t);
}

void proxy_restore_tty(void)
{
	if (saved_tty >= 0)
		tcsetattr(saved_tty, TCSAFLUSH, &saved_tios);
	saved_tty = -1;
}

static void nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void compact(struct buf *b)
{
	if (b->start && b->len)
		memmove(b->data, b->data + b->start, b->len);
	b->start = 0;
}

/* Writes what it can; returns false when the other end is gone. */
static bool flush_buf(int fd, struct buf *b)
{
	while (b->len) {
		ssize_t n = write(fd, b->data + b->start, b->len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		b->start += (size_t)n;
		b->len -= (size_t)n;
	}
	b->start = 0;
	return true;
}

/* Keys for the pty; on a console, Ctrl-<escape> q detaches and Ctrl-<escape> twice sends one. */
static bool take_keys(const char *in, size_t n, struct buf *to, int escape, bool *saw_escape)
{
	compact(to);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (escape > 0 && *saw_escape) {
			*saw_escape = false;
			if (ch == 'q')
				return true;
		} else if (escape > 0 && ch == escape) {
			*saw_escape = true;
			continue;
		}
		if (to->len < BUF_SIZE)
			to->data[to->len++] = (char)ch;
	}
	return false;
}

static bool reap(pid_t child, int *wstatus)
{
	if (child <= 0)
		return false;
	pid_t r = waitpid(child, wstatus, WNOHANG);
	return r == child;
}

/* The program outlived the proxy (pane closed, lxcdeck gone): it got SIGHUP from the pty; wait a little, then kill it. */
static void finish_child(pid_t child, int sigfd, struct proxy_result *r)
{
	long deadline = now_ms() + REAP_MS;
	while (!reap(child, &r->wstatus)) {
		long left = deadline - now_ms();
		if (left <= 0) {
			kill(child, SIGKILL);
			while (waitpid(child, &r->wstatus, 0) < 0 && errno == EINTR)
				;
			return;
		}
		struct pollfd p = {.fd = sigfd, .events = POLLIN};
		if (poll(&p, 1, (int)left) > 0) {
			struct signalfd_siginfo si;
			(void)!read(sigfd, &si, sizeof(si));
		}
	}
}

int proxy_run(const struct proxy_opts *o, struct proxy_result *r)
{
	static struct buf to_ptx, to_out;
	sigset_t mask = handled();
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		r->end = PROXY_ERROR;
		close(o->ptx);
		return -1;
	}
	bool in_tty = isatty(o->in_fd);
	bool in_open = true, ptx_open = true, child_done = false, saw_escape = false;
	long drain_until = 0, idle_until = 0;
	r->end = PROXY_HANGUP;
	r->signo = 0;
	nonblock(o->in_fd);
	nonblock(o->out_fd);
	nonblock(o->ptx);
	if (o->child > 0 && reap(o->child, &r->wstatus))
		child_done = true;

	for (;;) {
		if (child_done) {
			long t = now_ms();
			if (!drain_until) {
				drain_until = t + DRAIN_MAX_MS;
				idle_until = t + DRAIN_IDLE_MS;
			}
			if (to_out.len == 0 && (!ptx_open || t >= idle_until || t >= drain_until)) {
				r->end = PROXY_CHILD_EXITED;
				break;
			}
		}
		struct pollfd p[6];
		int np = 0, i_in = -1, i_ptx = -1, i_ctl = -1, i_hup = -1;
		p[np++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		if (in_open && !child_done && to_ptx.len < BUF_SIZE / 2)
			i_in = np, p[np++] = (struct pollfd){.fd = o->in_fd, .events = POLLIN};
		if (ptx_open) {
			short ev = (to_out.len < BUF_SIZE / 2 ? POLLIN : 0) | (to_ptx.len ? POLLOUT : 0);
			if (ev)
				i_ptx = np, p[np++] = (struct pollfd){.fd = o->ptx, .events = ev};
		}
		if (to_out.len)
			p[np++] = (struct pollfd){.fd = o->out_fd, .events = POLLOUT};
		if (o->control_fd >= 0)
			i_ctl = np, p[np++] = (struct pollfd){.fd = o->control_fd, .events = POLLIN};
		if (o->hup_fd >= 0)
			i_hup = np, p[np++] = (struct pollfd){.fd = o->hup_fd, .events = POLLIN};
		int timeout = child_done ? DRAIN_IDLE_MS : -1;
		int n = poll(p, (nfds_t)np, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r->end = PROXY_ERROR;
			break;
		}
		bool stop = false;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					if (!child_done && reap(o->child, &r->wstatus))
						child_done = true;
				} else if (si.ssi_signo == SIGWINCH) {
					if (in_tty)
						copy_size(o->in_fd, o->ptx);
				} else if (si.ssi_signo != SIGPIPE) {
					r->signo = (int)si.ssi_signo;
					stop = true;
				}
			}
		}
		if (stop)
			break;
		if (i_ctl >= 0 && (p[i_ctl].revents & (POLLIN | POLLHUP | POLLERR)) && !read_control(o->control_fd, o->ptx))
			break; /* lxcdeck is gone */
		if (i_hup >= 0 && (p[i_hup].revents & (POLLIN | POLLHUP | POLLERR))) {
			char c;
			if (read(o->hup_fd, &c, 1) <= 0)
				break; /* the console's owner (the container's monitor) hung up */
		}
		if (i_in >= 0 && (p[i_in].revents & (POLLIN | POLLHUP | POLLERR))) {
			char chunk[BUF_SIZE / 2];
			ssize_t got = read(o->in_fd, chunk, sizeof(chunk));
			if (got > 0) {
				if (take_keys(chunk, (size_t)got, &to_ptx, o->escape, &saw_escape)) {
					r->end = PROXY_DETACHED;
					break;
				}
			} else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
				/* a pane's pty closing is a hangup; a pipe's end of input is only that */
				if (in_tty)
					break;
				in_open = false;
			}
		}
		if (i_ptx >= 0 && (p[i_ptx].revents & POLLOUT) && !flush_buf(o->ptx, &to_ptx))
			to_ptx.len = 0;
		if (i_ptx >= 0 && (p[i_ptx].revents & (POLLIN | POLLHUP | POLLERR))) {
			compact(&to_out);
			/* a pty hands out at most a few KiB per read: gather what is there into one write */
			ssize_t got;
			int reads = 0;
			do {
				got = read(o->ptx, to_out.data + to_out.len, BUF_SIZE - to_out.len);
				if (got > 0) {
					to_out.len += (size_t)got;
					idle_until = now_ms() + DRAIN_IDLE_MS;
				}
			} while (got > 0 && ++reads < 16 && to_out.len < BUF_SIZE / 2);
			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				/* EIO: nothing holds the pty's other side any more */
				ptx_open = false;
				if (o->child <= 0 && to_out.len == 0)
					break;
			}
		}
		if (to_out.len && !flush_buf(o->out_fd, &to_out))
			break; /* the reader is gone */
		if (o->child <= 0 && !ptx_open && to_out.len == 0)
			break;
	}
	close(o->ptx);
	if (o->child > 0 && !child_done) {
		finish_child(o->child, sigfd, r);
		if (r->end != PROXY_ERROR && r->signo == 0)
			r->end = PROXY_HANGUP;
	} else if (child_done) {
		r->end = PROXY_CHILD_EXITED;
	}
	close(sigfd);
	return 0;
}

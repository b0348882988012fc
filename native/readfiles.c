/*
 * readfiles.c — many small kernel files (procfs, cgroupfs) read at once.
 *
 * A first listing reads about six files per running container (its
 * /proc/<pid>/cgroup, addresses, freezer state, CPU and memory counters).
 * One at a time from JavaScript each cost 15–35 µs, most of it the binding's
 * round trip, and a cold `ls` of 50 containers spent ~8 ms there. Here a few
 * threads (batch.c) read them with plain open/read/close; the kernel
 * generates each file the same way, so what comes back is what a read from
 * Node would give.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "lxcdeck.h"

#define READ_THREADS 3
/* the batch is for small files; a larger one (a busy namespace's fib_trie) is left to the caller's own read */
#define READ_MAX (1 << 20)

static char *read_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	/* the record is '1' and the text: buf[0] is the mark */
	size_t cap = 4096, len = 1;
	char *buf = malloc(cap + 1);
	if (buf)
		buf[0] = '1';
	while (buf) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) {
			char *grown = cap >= READ_MAX ? NULL : realloc(buf, cap * 2 + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	/* the record separators and NUL cannot be returned in-band: the caller reads such a file itself */
	if (memchr(buf + 1, '\x1e', len - 1) || strlen(buf) != len) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *read_job(void *ctx, int i, const char *path)
{
	return read_one(path);
}

char *lxcdeck_read_files(const char *paths)
{
	int n = 1;
	for (const char *p = paths; *p; p++)
		n += *p == '\n';
	/* a thread for every ~16 files: below that its start costs more than it overlaps */
	int threads = n / 16 + 1;
	return lxcdeck_batch(paths, threads < READ_THREADS ? threads : READ_THREADS, read_job, NULL, "0", NULL);
}

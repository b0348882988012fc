/*
 * lxcdeck-helper clone NAME LXCPATH NEWNAME [--snapshot] [--backing TYPE]
 *                      [--marker FILE TEXT [--keep-marker]] [--clear KEY] [--set KEY VALUE]...
 *
 * A copy or snapshot clone as one process does it, instead of lxc-copy
 * followed by lxcdeck's own checks and config rewrite:
 * - the keys (--clear/--set, in order) go onto the original's config in
 *   memory only (it is never saved): liblxc judges each one before anything
 *   is made, and its clone writes the new config from that text, so the
 *   clone gets them without a second write;
 * - NEWNAME's directory is made here with the marker file (TEXT, written in
 *   one go) that says "half-made, owned by lxcdeck's process": a failure or a
 *   kill leaves the marker, and lxcdeck's undo (or its next create of the
 *   name) removes the half-made container; on success the marker goes
 *   (--keep-marker: lxcdeck removes it itself after a start).
 * Success prints {"ok":true}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clone.h"
#include "status.h"

/* As liblxc makes it for an unprivileged container: the directory goes to the mapped root, the user keeps group write. */
#define DIR_MODE 0770

static int write_whole(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

int cmd_clone(struct lxc_container *c, const char *lxcpath, int argc, char **argv)
{
	if (argc < 1)
		return fail(HELPER_USAGE, "clone: NEWNAME is missing%s", "");
	const char *newname = argv[0], *backing = NULL, *marker = NULL, *mark = NULL;
	int flags = 0;
	bool keep = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--snapshot") == 0) {
			flags |= LXC_CLONE_SNAPSHOT;
		} else if (strcmp(argv[i], "--backing") == 0 && i + 1 < argc) {
			backing = argv[++i];
		} else if (strcmp(argv[i], "--marker") == 0 && i + 2 < argc) {
			marker = argv[++i];
			mark = argv[++i];
		} else if (strcmp(argv[i], "--keep-marker") == 0) {
			keep = true;
		} else if (strcmp(argv[i], "--clear") == 0 && i + 1 < argc) {
			/* false for a key that is not set: nothing to clear */
			(void)c->clear_config_item(c, argv[++i]);
		} else if (strcmp(argv[i], "--set") == 0 && i + 2 < argc) {
			const char *key = argv[i + 1], *value = argv[i + 2];
			i += 2;
			if (!c->set_config_item(c, key, value))
				return failf(HELPER_FAILED, "liblxc rejects %s = %s", key, value);
		} else {
			return fail(HELPER_USAGE, "clone: unknown option %s", argv[i]);
		}
	}
	if (marker && (strchr(marker, '/') || !*marker))
		return fail(HELPER_USAGE, "clone: the marker is a file name, not a path: %s", marker);

	char dir[PATH_MAX], file[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s/%s", lxcpath, newname) >= (int)sizeof(dir))
		return fail(HELPER_USAGE, "clone: path too long for %s", newname);
	file[0] = '\0';
	if (marker) {
		if (mkdir(dir, DIR_MODE) < 0) {
			if (errno == EEXIST)
				return failf(HELPER_WRONG_STATE, "%s already exists", dir);
			return failf(HELPER_FAILED, "cannot make %s (%s)", dir, strerror(errno));
		}
		(void)chmod(dir, DIR_MODE); /* past the umask */
		if (snprintf(file, sizeof(file), "%s/%s", dir, marker) >= (int)sizeof(file) || write_whole(file, mark) < 0) {
			int e = errno;
			(void)unlink(file);
			(void)rmdir(dir);
			return failf(HELPER_FAILED, "cannot write %s (%s)", file, strerror(e));
		}
	}
	struct lxc_container *copy = c->clone(c, newname, lxcpath, flags, backing, NULL, 0, NULL);
	if (!copy)
		return failf(HELPER_FAILED, "liblxc could not %s %s as %s", flags & LXC_CLONE_SNAPSHOT ? "snapshot-clone" : "copy", c->name, newname);
	lxc_container_put(copy);
	if (file[0] && !keep && unlink(file) < 0)
		return failf(HELPER_FAILED, "cannot remove %s (%s)", file, strerror(errno));
	printf("{\"ok\":true}\n");
	return 0;
}

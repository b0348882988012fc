/*
 * lxcdeck-idmap-probe DIR: can the filesystem under DIR be mounted idmapped
 * (what lxc.rootfs.options = idmap=container needs)? Tries it for real, the
 * cheap way (about a millisecond): a detached clone of the mount holding DIR
 * (open_tree), a throwaway user namespace, and mount_setattr with
 * MOUNT_ATTR_IDMAP on the clone. Nothing is ever attached to the tree: the
 * clone goes away when its fd is closed.
 *
 * Exit 0: supported. Exit 1: not supported, one line on stdout says why
 * (the errno of the step that refused). Exit 2: usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what, int err) {
  printf("%s: %s\n", what, strerror(err));
  return 1;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int err = errno;
  close(fd);
  errno = err;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: lxcdeck-idmap-probe DIR\n");
    return 2;
  }
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) return fail("open_tree", errno);

  /* a child in a new user namespace, kept alive until its namespace is open */
  int ready[2], hold[2];
  if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC)) return fail("pipe", errno);
  pid_t pid = fork();
  if (pid < 0) return fail("fork", errno);
  if (pid == 0) {
    /* the write end of `hold` stays with the parent only: its close is our cue to go */
    close(hold[1]);
    close(ready[0]);
    char c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    (void)!read(hold[0], &c, 1);
    _exit(0);
  }
  close(ready[1]);
  close(hold[0]);
  char c = 'n';
  int rc;
  if (read(ready[0], &c, 1) != 1 || c != 'y') {
    rc = fail("unshare(CLONE_NEWUSER)", EPERM);
  } else {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    (void)write_file(path, "deny");
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    if (write_file(path, "0 100000 1\n")) rc = fail("writing the probe's uid_map", errno);
    else {
      snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
      if (write_file(path, "0 100000 1\n")) rc = fail("writing the probe's gid_map", errno);
      else {
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
        int ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0) rc = fail("opening the probe's user namespace", errno);
        else {
          struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (__u64)ns};
          rc = syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0 ? 0 : fail("mount_setattr(MOUNT_ATTR_IDMAP)", errno);
          close(ns);
        }
      }
    }
  }
  close(hold[1]);
  waitpid(pid, NULL, 0);
  close(tree);
  if (rc == 0) printf("idmapped mounts supported\n");
  return rc;
}

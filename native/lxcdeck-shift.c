/*
 * lxcdeck-shift: re-owns a container rootfs from one host id range to another.
 *
 *   lxcdeck-shift [--journal FILE] [--total N] [--ns] [--parent] [--throttle-us N] ROOT SEG...
 *   SEG = u:FROM:TO:COUNT | g:FROM:TO:COUNT | b:FROM:TO:COUNT
 *
 * System calls only; the id arithmetic is src/idmap/shift.ts's, passed in as
 * segments. Walks ROOT with openat/fstatat (no symlink followed, no other
 * mount entered), and for each inode (hard links once) translates uid and gid,
 * the user/group entries of system.posix_acl_access/default and the rootid of
 * a v3 security.capability; restores the setuid/setgid bits and the
 * capability that chown clears. Progress as JSON lines on stdout.
 *
 * The invariant that makes it resumable: for each kind the old ids (segment
 * sources that change) and the new ids (their targets) are disjoint (checked,
 * exit 2 otherwise). An id in a source is not shifted yet, an id in a target
 * is, anything else is foreign and left alone. Every field (owner, each ACL
 * entry, the cap rootid) is therefore translated at most once however often
 * the walk runs: after kill -9 running it again finishes it (resume), running
 * the inverse segments over the same tree undoes it (rollback), both idempotent.
 * The one non-idempotent effect is chown clearing setuid/setgid and
 * security.capability: before such an inode is chowned, a record (path, mode,
 * capability) is appended to the journal and synced; a later run replays the
 * records first (mode back, capability translated if its rootid is still in a
 * source). The journal is removed when a walk completes.
 *
 * --parent: the directory holding ROOT is re-owned too (only it, not its
 * other entries): liblxc gives a container's directory to its mapped root,
 * which must be able to reach its rootfs.
 *
 * --ns: running inside a user namespace, where ids it does not map read as the
 * overflow id 65534: an ACL holding one is not rewritten (it would write 65534).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGS 1024
#define ACL_ACCESS "system.posix_acl_access"
#define ACL_DEFAULT "system.posix_acl_default"
#define CAPS "security.capability"
#define OVERFLOW_ID 65534u

struct seg { uint32_t from, to, count; };
struct table { struct seg s[MAX_SEGS]; int n; };
static struct table tables[2]; /* 0: uids, 1: gids */
static int ns_mode, parent_too;
static unsigned throttle_us; /* tests only: slows the walk so a kill lands mid-way */
static FILE *journal;
static const char *journal_path;
static uint64_t done, total, changed, outside, errors, acls, caps, setids;
static dev_t root_dev;
static struct timespec last_report;

enum { SOURCE, TARGET, FOREIGN };

/* Which side of the translation an id is on; *out is its new id when SOURCE. */
static int classify(int kind, uint32_t id, uint32_t *out) {
  const struct table *t = &tables[kind];
  for (int i = 0; i < t->n; i++) {
    const struct seg *s = &t->s[i];
    if (id - s->from < s->count) { *out = s->to + (id - s->from); return SOURCE; }
  }
  for (int i = 0; i < t->n; i++)
    if (id - t->s[i].to < t->s[i].count) return TARGET;
  return FOREIGN;
}

static int overlap(const struct seg *a, uint32_t b_start, uint32_t b_count) {
  return (uint64_t)a->from < (uint64_t)b_start + b_count && (uint64_t)b_start < (uint64_t)a->from + a->count;
}

static void report(int final) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!final && (now.tv_sec - last_report.tv_sec) * 1000000000L + (now.tv_nsec - last_report.tv_nsec) < 100000000L) return;
  last_report = now;
  if (final)
    printf("{\"type\":\"done\",\"done\":%" PRIu64 ",\"total\":%" PRIu64 ",\"changed\":%" PRIu64 ",\"outside\":%" PRIu64 ",\"acls\":%" PRIu64
           ",\"caps\":%" PRIu64 ",\"setid\":%" PRIu64 ",\"errors\":%" PRIu64 "}\n",
           done, total, changed, outside, acls, caps, setids, errors);
  else
    printf("{\"type\":\"progress\",\"done\":%" PRIu64 ",\"total\":%" PRIu64 "}\n", done, total);
  fflush(stdout);
}

static void problem(const char *path, const char *what) {
  errors++;
  /* stderr lines are for people; keep them few */
  if (errors <= 20) fprintf(stderr, "lxcdeck-shift: %s: %s: %s\n", path, what, strerror(errno));
}

/* --- hard links: a set of inode numbers (one device: the walk stays on it) --- */
static uint64_t *links;
static size_t links_cap, links_n;
static int seen_before(uint64_t ino) {
  if (links_n * 2 >= links_cap) {
    size_t ncap = links_cap ? links_cap * 2 : 4096;
    uint64_t *n = calloc(ncap, sizeof *n);
    if (!n) { perror("lxcdeck-shift: memory"); exit(1); }
    for (size_t i = 0; i < links_cap; i++)
      if (links[i]) for (size_t j = (links[i] * 0x9E3779B97F4A7C15ull) & (ncap - 1);; j = (j + 1) & (ncap - 1)) if (!n[j]) { n[j] = links[i]; break; }
    free(links); links = n; links_cap = ncap;
  }
  uint64_t key = ino + 1; /* 0 marks an empty slot */
  for (size_t j = (key * 0x9E3779B97F4A7C15ull) & (links_cap - 1);; j = (j + 1) & (links_cap - 1)) {
    if (links[j] == key) return 1;
    if (!links[j]) { links[j] = key; links_n++; return 0; }
  }
}

/*
 * --- xattrs: by the bare name, the walk's current directory being the one
 * holding it (fchdir per directory), so only the last component is resolved
 * (l*xattr: not followed). A /proc/self/fd/N/NAME path did the same at twice
 * the cost of the chown itself.
 */
static void xpath(char *buf, size_t n, int dirfd, const char *name) { (void)dirfd; snprintf(buf, n, "%s", name); }

/* Translates the user/group entries of an ACL xattr; 1 when something changed. */
static int shift_acl(unsigned char *v, ssize_t len) {
  if (len < 4 || (len - 4) % 8) return -1;
  int change = 0;
  for (ssize_t o = 4; o < len; o += 8) {
    uint16_t tag; uint32_t id, nid;
    memcpy(&tag, v + o, 2); memcpy(&id, v + o + 4, 4);
    int kind = tag == 0x02 ? 0 : tag == 0x08 ? 1 : -1;
    if (kind < 0) continue;
    if (ns_mode && id == OVERFLOW_ID) return -1; /* an id this namespace cannot see */
    if (classify(kind, id, &nid) == SOURCE) { memcpy(v + o + 4, &nid, 4); change = 1; }
  }
  return change;
}

static void do_acl(const char *xp, const char *attr, const char *path) {
  unsigned char v[4096];
  ssize_t len = lgetxattr(xp, attr, v, sizeof v);
  if (len < 0) { if (errno != ENODATA && errno != ENOTSUP) problem(path, attr); return; }
  int r = shift_acl(v, len);
  if (r < 0) { errno = EINVAL; problem(path, "ACL with an unreadable or unmapped entry left as it is"); return; }
  if (r && lsetxattr(xp, attr, v, len, 0) < 0) problem(path, attr);
  if (r) acls++;
}

/*
 * A capability value with its v3 rootid translated (when in a source); 1 when
 * it changed. A v2 capability has no rootid: it belongs to the filesystem's
 * root (host id 0; in --ns mode the kernel also shows a v3 whose rootid is
 * the namespace's root as v2), so it is read as rootid 0: when 0 is shifted
 * (a privileged rootfs made unprivileged, as fuidshift does) it becomes a v3
 * with the new root, otherwise it stays as it is.
 */
static int shift_cap(unsigned char *v, ssize_t *len) {
  uint32_t magic, root = 0, nroot;
  if (*len < 4) return 0;
  memcpy(&magic, v, 4);
  if (*len == 20 && (magic & 0xFF000000u) == 0x02000000u) {
    if (classify(0, 0, &nroot) != SOURCE) return 0;
    magic = (magic & 0x00FFFFFFu) | 0x03000000u;
    memcpy(v, &magic, 4); memcpy(v + 20, &nroot, 4); *len = 24;
    return 1;
  }
  if (*len != 24 || (magic & 0xFF000000u) != 0x03000000u) return 0;
  memcpy(&root, v + 20, 4);
  if (classify(0, root, &nroot) != SOURCE) return 0;
  memcpy(v + 20, &nroot, 4);
  return 1;
}

/* Appends a record before an inode whose chown loses something; synced so a kill -9 cannot lose it. */
static void journal_record(const char *path, mode_t mode, const unsigned char *cap, ssize_t caplen) {
  if (!journal) return;
  fprintf(journal, "%o ", (unsigned)(mode & 07777));
  if (caplen > 0) for (ssize_t i = 0; i < caplen; i++) fprintf(journal, "%02x", cap[i]);
  else fputc('-', journal);
  fprintf(journal, " %s\n", path);
  if (fflush(journal) != 0 || fdatasync(fileno(journal)) != 0) { perror("lxcdeck-shift: journal"); exit(1); }
}

static void shift_inode(int dirfd, const char *name, const struct stat *st, const char *path) {
  uint32_t nu = st->st_uid, ng = st->st_gid, t;
  int cu = classify(0, st->st_uid, &t); if (cu == SOURCE) nu = t;
  int cg = classify(1, st->st_gid, &t); if (cg == SOURCE) ng = t;
  int is_link = S_ISLNK(st->st_mode);
  char xp[4200];
  xpath(xp, sizeof xp, dirfd, name);
  unsigned char cap[64];
  ssize_t caplen = -1;
  int own = cu == SOURCE || cg == SOURCE;
  if (cu == FOREIGN && cg == FOREIGN) outside++;
  if (!is_link && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))) {
    /* one listing tells which of the three to read (most inodes have none) */
    char names[1024];
    ssize_t nl = llistxattr(xp, names, sizeof names);
    int all = nl < 0 && errno == ERANGE, acc = all, def = all, has_cap = all;
    for (ssize_t o = 0; nl > 0 && o < nl; o += strlen(names + o) + 1) {
      acc |= !strcmp(names + o, ACL_ACCESS);
      def |= !strcmp(names + o, ACL_DEFAULT);
      has_cap |= !strcmp(names + o, CAPS);
    }
    if (acc) do_acl(xp, ACL_ACCESS, path);
    if (def) do_acl(xp, ACL_DEFAULT, path);
    if (has_cap) caplen = lgetxattr(xp, CAPS, cap, sizeof cap - 4);
  }
  unsigned char orig[64];
  ssize_t origlen = caplen;
  if (caplen > 0) memcpy(orig, cap, caplen);
  int capchange = caplen > 0 ? shift_cap(cap, &caplen) : 0;
  /* chown of a non-directory clears setuid, setgid (group-exec) and the capability */
  int loses = own && !S_ISDIR(st->st_mode) && !is_link && ((st->st_mode & 06000) || caplen > 0);
  if (loses) journal_record(path, st->st_mode, orig, origlen);
  if (own) {
    /* -1 leaves a field alone: in a namespace a foreign id reads as the overflow id, which must not be written back */
    if (fchownat(dirfd, name, cu == SOURCE ? nu : (uid_t)-1, cg == SOURCE ? ng : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0) { problem(path, "chown"); return; }
    changed++;
  }
  if (caplen > 0 && (capchange || loses)) {
    if (lsetxattr(xp, CAPS, cap, caplen, 0) < 0) problem(path, "set security.capability");
    else caps++;
  }
  if (loses && (st->st_mode & 06000)) {
    if (fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0) problem(path, "chmod (restoring setuid/setgid)");
    else setids++;
  }
}

static void walk(int dirfd, const char *path, int count_only);

/*
 * The directory the process is in (for the xattr calls by bare name), so
 * fchdir runs once per directory and once after each subdirectory instead of
 * once per entry. -1: unknown (a subdirectory's walk moved it, and its fd
 * number may be reused by the next open).
 */
static int cwd_fd = -1;

static void visit(int dirfd, const char *name, const char *path, int count_only) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) { problem(path, "stat"); return; }
  if (st.st_dev != root_dev) return; /* another mount: -xdev */
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && seen_before(st.st_ino)) return;
  if (count_only) total++;
  else {
    shift_inode(dirfd, name, &st, path);
    done++;
    if (throttle_us) usleep(throttle_us);
    if ((done & 255) == 0) report(0);
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) { problem(path, "open directory"); return; }
    walk(fd, path, count_only);
    cwd_fd = -1;
  }
}

/* Takes ownership of dirfd. */
static void walk(int dirfd, const char *path, int count_only) {
  DIR *d = fdopendir(dirfd);
  if (!d) { problem(path, "read directory"); close(dirfd); return; }
  size_t pl = strlen(path);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
    if (count_only && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) { total++; continue; } /* hard links counted twice: a bound, fine for a bar */
    size_t nl = strlen(e->d_name);
    char *child = malloc(pl + nl + 2);
    if (!child) { perror("lxcdeck-shift: memory"); exit(1); }
    memcpy(child, path, pl); child[pl] = '/'; memcpy(child + pl + 1, e->d_name, nl + 1);
    if (!count_only && cwd_fd != dirfd) {
      if (fchdir(dirfd) < 0) { problem(path, "chdir"); free(child); break; }
      cwd_fd = dirfd;
    }
    visit(dirfd, e->d_name, child, count_only);
    free(child);
  }
  closedir(d);
}

/* Replays the records of an interrupted run: lost setuid bits and capabilities come back. */
static void replay(int rootfd, const char *file) {
  FILE *f = fopen(file, "r");
  if (f && fchdir(rootfd) < 0) { perror("lxcdeck-shift: chdir"); exit(1); }
  if (!f) { if (errno != ENOENT) { perror("lxcdeck-shift: journal"); exit(1); } return; }
  char *line = NULL; size_t n = 0;
  while (getline(&line, &n, f) > 0) {
    unsigned mode; char hex[160]; int off = 0;
    if (sscanf(line, "%o %159s %n", &mode, hex, &off) < 2 || !off) continue; /* a torn last line: its chown never ran */
    char *rel = line + off; rel[strcspn(rel, "\n")] = 0;
    const char *name = rel[0] == '/' ? rel + 1 : rel;
    if (!*name) continue;
    struct stat st;
    if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) continue;
    if ((st.st_mode & 0777) == (mode & 0777) && (st.st_mode & 07777) != mode && fchmodat(rootfd, name, mode, 0) < 0) problem(rel, "replay chmod");
    if (strcmp(hex, "-")) {
      unsigned char cap[64]; ssize_t len = strlen(hex) / 2;
      if (len > (ssize_t)sizeof cap - 4) continue;
      for (ssize_t i = 0; i < len; i++) sscanf(hex + 2 * i, "%2hhx", &cap[i]);
      shift_cap(cap, &len);
      char xp[4200]; xpath(xp, sizeof xp, rootfd, name);
      if (lsetxattr(xp, CAPS, cap, len, 0) < 0) problem(rel, "replay security.capability");
    }
  }
  free(line);
  fclose(f);
}

static int add_seg(const char *arg) {
  char k; uint32_t from, to, count; int end = 0;
  if (sscanf(arg, "%c:%" SCNu32 ":%" SCNu32 ":%" SCNu32 "%n", &k, &from, &to, &count, &end) != 4 || arg[end] || !count || (k != 'u' && k != 'g' && k != 'b')) return -1;
  if ((uint64_t)from + count > 0x100000000ull || (uint64_t)to + count > 0x100000000ull) return -1;
  if (from == to) return 0; /* ids that stay: nothing to do */
  for (int kind = 0; kind < 2; kind++) {
    if ((k == 'u' && kind) || (k == 'g' && !kind)) continue;
    struct table *t = &tables[kind];
    if (t->n == MAX_SEGS) return -1;
    t->s[t->n++] = (struct seg){ from, to, count };
  }
  return 0;
}

int main(int argc, char **argv) {
  int i = 1, have_total = 0;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (!strcmp(argv[i], "--journal") && i + 1 < argc) journal_path = argv[++i];
    else if (!strcmp(argv[i], "--total") && i + 1 < argc) { total = strtoull(argv[++i], NULL, 10); have_total = 1; }
    else if (!strcmp(argv[i], "--ns")) ns_mode = 1;
    else if (!strcmp(argv[i], "--parent")) parent_too = 1;
    else if (!strcmp(argv[i], "--throttle-us") && i + 1 < argc) throttle_us = strtoul(argv[++i], NULL, 10);
    else break;
  }
  if (i < argc && !strcmp(argv[i], "--")) i++;
  if (argc - i < 2) {
    fprintf(stderr, "usage: lxcdeck-shift [--journal FILE] [--total N] [--ns] ROOT u|g|b:FROM:TO:COUNT...\n");
    return 2;
  }
  const char *slow = getenv("LXCDECK_SHIFT_THROTTLE_US"); /* tests: through lxcdeck, which builds the argv */
  if (slow && !throttle_us) throttle_us = strtoul(slow, NULL, 10);
  const char *root = argv[i++];
  for (; i < argc; i++)
    if (add_seg(argv[i]) < 0) { fprintf(stderr, "lxcdeck-shift: bad segment %s: write it as u|g|b:FROM:TO:COUNT\n", argv[i]); return 2; }
  for (int kind = 0; kind < 2; kind++)
    for (int a = 0; a < tables[kind].n; a++)
      for (int b = 0; b < tables[kind].n; b++)
        if (overlap(&tables[kind].s[a], tables[kind].s[b].to, tables[kind].s[b].count) ||
            (a != b && overlap(&tables[kind].s[a], tables[kind].s[b].from, tables[kind].s[b].count))) {
          fprintf(stderr, "lxcdeck-shift: the old and new %s ranges overlap: shift through a free range in two steps\n", kind ? "gid" : "uid");
          return 2;
        }
  int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (rootfd < 0 || fstat(rootfd, &st) < 0) { fprintf(stderr, "lxcdeck-shift: %s: %s\n", root, strerror(errno)); return 1; }
  root_dev = st.st_dev;
  static char journal_abs[4096];
  if (journal_path && journal_path[0] != '/') { /* the walk changes directory: make it absolute first */
    if (!getcwd(journal_abs, sizeof journal_abs - strlen(journal_path) - 2)) { perror("lxcdeck-shift: getcwd"); return 1; }
    strcat(journal_abs, "/"); strcat(journal_abs, journal_path); journal_path = journal_abs;
  }
  if (journal_path) {
    replay(rootfd, journal_path);
    journal = fopen(journal_path, "a");
    if (!journal) { perror("lxcdeck-shift: journal"); return 1; }
  }
  if (!have_total) {
    total = 1;
    walk(openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "", 1); /* not dup: a shared offset */
    free(links); links = NULL; links_cap = links_n = 0;
  }
  report(0);
  /* the root itself: "." of the root fd */
  if (fchdir(rootfd) < 0) { perror("lxcdeck-shift: chdir"); return 1; }
  shift_inode(rootfd, ".", &st, "/");
  done++;
  walk(openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "", 0); /* not dup: a shared offset */
  if (parent_too) {
    struct stat pst;
    if (fchdir(rootfd) < 0 || fstatat(rootfd, "..", &pst, AT_SYMLINK_NOFOLLOW) < 0) problem("/..", "stat");
    else shift_inode(rootfd, "..", &pst, "/..");
  }
  report(1);
  if (journal) {
    fclose(journal);
    if (!errors) unlink(journal_path);
  }
  return errors ? 3 : 0;
}

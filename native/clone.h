/* lxcdeck-helper clone: liblxc's clone with lxcdeck's keys and marker in one process (see clone.c). */
#ifndef LXCDECK_CLONE_H
#define LXCDECK_CLONE_H

#include <lxc/lxccontainer.h>

int cmd_clone(struct lxc_container *c, const char *lxcpath, int argc, char **argv);

#endif

/* lxcdeck-helper serve (serve.c) and the one-shot verbs it runs (helper.c). */
#ifndef LXCDECK_SERVE_H
#define LXCDECK_SERVE_H

/* argv as main's: argv[0] the program, argv[1] the verb, then NAME LXCPATH ARGS. */
int run_verb(int argc, char **argv);
int cmd_serve(void);

#endif

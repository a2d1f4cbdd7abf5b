/*
 * user/bin/hello.c - the smallest program worth running: who am I, what was I told.
 *
 * init execs it with argv {"hello", "from", "init"}; it prints its pid and each
 * argument, one line each, and exits 0.
 */
#include "ulib.h"

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    printf("hello from pid %ld\n", getpid());
    for (int i = 0; i < argc; i++)
        printf("hello: argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}

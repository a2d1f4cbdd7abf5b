/*
 * user/musl/musl-hello.c - a plain C program on musl: stdio, argv, getpid.
 *
 * Nothing here knows about our kernel. It runs because the kernel speaks the
 * Linux i386 ABI that musl was built for: musl's start-up sets up
 * thread-local storage (set_thread_area, set_tid_address), printf goes out
 * through writev, and stdout asks ioctl(TIOCGWINSZ) whether it is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int bad = 0;
    pid_t pid = getpid();
    printf("musl-hello: hello from pid %d, argc %d\n", (int)pid, argc);
    for (int i = 0; i < argc; i++)
        printf("musl-hello: argv[%d] = \"%s\"\n", i, argv[i]);
    if (pid <= 0) {
        printf("musl-hello: FAIL getpid returned %d\n", (int)pid);
        bad = 1;
    }
    if (argc < 1 || argv[argc] != NULL) {
        printf("musl-hello: FAIL argv is not NULL-terminated at argc\n");
        bad = 1;
    }
    /* Formatting is musl's, not ours: a few conversions our printf lacks. */
    char buf[64];
    snprintf(buf, sizeof buf, "%lld %.3f %+d %#o", -1234567890123LL, 2.5, 7, 8);
    if (strcmp(buf, "-1234567890123 2.500 +7 010") != 0) {
        printf("musl-hello: FAIL snprintf gave \"%s\"\n", buf);
        bad = 1;
    }
    printf(bad ? "musl-hello: FAIL\n" : "musl-hello: ok\n");
    return bad;
}

/*
 * user/musl/musl-fork.c - processes with musl: fork, a pipe wrapped in FILE*, waitpid.
 *
 * The child writes numbered lines into the pipe through fprintf and exits
 * with status 3; the parent reads them back with fgets, checks each, and
 * checks the child's exit status. stdio's buffering sits on top of the
 * kernel's read and write here (musl: readv and writev), so the lines cross
 * the pipe in chunks that do not follow the line breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINES 500

int main(void)
{
    int p[2];
    if (pipe(p) != 0) {
        perror("musl-fork: FAIL pipe");
        return 1;
    }
    fflush(stdout); /* or the child inherits our unwritten output and prints it twice */
    pid_t pid = fork();
    if (pid < 0) {
        perror("musl-fork: FAIL fork");
        return 1;
    }
    if (pid == 0) {
        close(p[0]);
        FILE *out = fdopen(p[1], "w");
        if (!out)
            _exit(100);
        for (int i = 0; i < LINES; i++)
            fprintf(out, "line %d of %d from pid %d\n", i, LINES, (int)getpid());
        exit(3); /* exit flushes and closes `out` */
    }

    close(p[1]);
    FILE *in = fdopen(p[0], "r");
    if (!in) {
        perror("musl-fork: FAIL fdopen");
        return 1;
    }
    char line[128], want[128];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, in)) {
        snprintf(want, sizeof want, "line %d of %d from pid %d\n", n, LINES, (int)pid);
        if (strcmp(line, want) != 0 && !bad) {
            printf("musl-fork: FAIL got \"%.40s\", want \"%.40s\"\n", line, want);
            bad = 1;
        }
        n++;
    }
    fclose(in);
    if (n != LINES) {
        printf("musl-fork: FAIL read %d lines, want %d\n", n, LINES);
        bad = 1;
    }

    int status = 0;
    pid_t r = waitpid(pid, &status, 0);
    if (r != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 3) {
        printf("musl-fork: FAIL waitpid = %d, status 0x%x, want exit 3\n", (int)r, status);
        bad = 1;
    }
    if (waitpid(-1, &status, 0) != -1) {
        printf("musl-fork: FAIL a second waitpid found a child\n");
        bad = 1;
    }
    printf(bad ? "musl-fork: FAIL\n" : "musl-fork: ok\n");
    return bad;
}

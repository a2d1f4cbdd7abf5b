/*
 * user/bin/init.c - the first process: a short demonstration for whoever watches `make run`.
 *
 * No shell yet. init greets, forks a child that becomes `hello` through
 * execve, waits for it, says how it ended, and exits 0. Each step prints a line,
 * so the boot log shows fork, execve, exit and wait4 working in turn.
 *
 * Programs are found as PREFIX + name, PREFIX being argv[1] when given and
 * "/bin/" otherwise (on Linux, tests/user/check-on-linux.sh passes a directory).
 */
#include "ulib.h"

int main(int argc, char **argv, char **envp)
{
    const char *prefix = argc > 1 ? argv[1] : "/bin/";
    char path[256];
    snprintf(path, sizeof path, "%shello", prefix);

    printf("init: hello, I am pid %ld\n", getpid());
    long pid = fork();
    if (pid < 0) {
        printf("init: fork failed: %ld (%s)\n", pid, errname((int)pid));
        return 1;
    }
    if (pid == 0) {
        char *args[] = {"hello", "from", "init", NULL};
        long r = execve(path, args, envp);
        printf("init: execve %s failed: %ld (%s)\n", path, r, errname((int)r));
        exit(127);
    }
    printf("init: started pid %ld running %s\n", pid, path);

    int status = 0;
    long r = wait4(pid, &status, 0, NULL);
    if (r != pid) {
        printf("init: wait4 returned %ld (%s)\n", r, errname((int)r));
        return 1;
    }
    if (WIFEXITED(status))
        printf("init: child %ld exited with status %d\n", pid, WEXITSTATUS(status));
    else
        printf("init: child %ld was killed by signal %d\n", pid, WTERMSIG(status));
    printf("init: done\n");
    return 0;
}

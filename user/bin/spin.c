/*
 * user/bin/spin.c - two processes that compute for ever and never make a system call.
 *
 * A demonstration of preemption and of the monitor's break key: the timer
 * shares the CPU between the two, and Ctrl-K stops both and opens the kernel
 * monitor (`ps` shows them, `continue` resumes them). tests/shell-tests.sh
 * uses it that way.
 */
#include "ulib.h"

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    long child = fork();
    if (child > 0)
        printf("spin: pid %ld and its child %ld spin for ever; Ctrl-K opens the monitor\n", getpid(), child);
    for (volatile unsigned long i = 0;; i++)
        ;
}

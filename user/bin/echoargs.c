/*
 * user/bin/echoargs.c - print the argument vector, for the execve tests.
 *
 *   echoargs ARG...          prints "echoargs: argc N", then "argv[i] = ..." per argument
 *   echoargs -o FD ARG...    writes every argv[i] followed by '\n' to descriptor FD
 *                            instead: usertests passes the write end of a pipe it
 *                            inherited across execve and compares what comes back
 *
 * Either way the exit status is argc (modulo 256, as every exit status is), so a
 * parent learns the count without reading anything; 255 reports an argv that
 * ended (NULL) before argc said it would, or one that did not end at argc.
 */
#include "ulib.h"

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    for (int i = 0; i < argc; i++) {
        if (!argv[i])
            return 255;
    }
    if (argv[argc] != NULL)
        return 255;

    if (argc >= 3 && strcmp(argv[1], "-o") == 0) {
        int fd = atoi(argv[2]);
        for (int i = 0; i < argc; i++) {
            if (write(fd, argv[i], strlen(argv[i])) < 0 || write(fd, "\n", 1) != 1)
                return 254;
        }
        return argc & 0xff;
    }
    printf("echoargs: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("echoargs: argv[%d] = \"%s\"\n", i, argv[i]);
    return argc & 0xff;
}

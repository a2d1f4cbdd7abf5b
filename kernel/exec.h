/*
 * kernel/exec.h - replacing a process's program: ELF loading and the initial stack.
 *
 * execve has two halves. First the arguments are copied out of the caller's
 * memory into a kernel buffer (struct exec_args), because the caller's address
 * space is about to go. Then exec_into() builds a complete new address space
 * off to the side: the program's segments, a stack holding argv, envp and the
 * auxiliary vector. Only when all of that succeeded is the old space dropped,
 * so a failing execve (no such program, a bad ELF, no memory) returns an error
 * to a caller that is still intact.
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include "mm/types.h"

#define EXEC_ARG_MAX  65536 /* bytes of argument and environment strings plus pointers */
#define EXEC_ARGS_MAX 4096  /* argument plus environment strings */

struct proc;

struct exec_args {
    char *strings; /* argc + envc NUL-terminated strings, argv's first */
    size_t used;   /* bytes in strings */
    int argc, envc;
};

/* Gather argv and envp (NULL-terminated user arrays; envp may be 0): 0, -EFAULT,
 * -E2BIG or -ENOMEM. */
int exec_args_from_user(struct exec_args *a, uintptr_t uargv, uintptr_t uenvp);

/* The same from kernel arrays (the first process). */
int exec_args_from_kernel(struct exec_args *a, const char *const *argv, const char *const *envp);

void exec_args_free(struct exec_args *a);

/* Give `p` the program `path` with these arguments: a new address space,
 * registers set for its entry point. 0, or -ENOENT / -ENOEXEC (logged with the
 * reason) / -E2BIG / -ENOMEM with `p` unchanged. */
int exec_into(struct proc *p, const char *path, const struct exec_args *a);

#endif

/*
 * user/bin/big100k.c - a program with 100 KiB of initialised data, for ubench's exec figure.
 *
 * argv: big100k FD START (16 hex digits). It reads the time-stamp counter as soon as main runs,
 * and writes the instructions since START (ubench's RDTSC just before execve)
 * to descriptor FD as a 64-bit number.
 */
#include "ulib.h"

/* Initialised, so all 100 KiB are in the file and exec copies them. */
static volatile char payload[100 * 1024] = {1};

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t now = ((uint64_t)hi << 32) | lo;
    if (argc < 3)
        return payload[0] == 1 ? 0 : 1;
    uint64_t start = 0;
    for (const char *s = argv[2]; *s; s++) /* 16 hex digits */
        start = start * 16 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
    uint64_t cost = now - start;
    write(atoi(argv[1]), &cost, sizeof cost);
    return 0;
}

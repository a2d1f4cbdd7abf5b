/* tests/host/host_shim.h - what tests can see of the host mm_shim (see host_shim.c). */
#ifndef TESTS_HOST_SHIM_H
#define TESTS_HOST_SHIM_H

#include <stddef.h>

#define HOST_LOG_BUF 65536
extern char host_log_buf[HOST_LOG_BUF];
extern size_t host_log_len;
extern int host_log_capture;
void host_log_reset(void);

extern char host_misuse_msg[512];
extern int host_misuse_count;
void host_misuse_reset(void);

/* When > 0: counts down on every mm_alloc(); the call that reaches 0 returns NULL. */
extern int host_alloc_fail_in;

#endif

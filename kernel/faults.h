/*
 * kernel/faults.h - deliberate faults, to demonstrate and test the protections.
 *
 * Each kind provokes one exception whose decoded report the tests match
 * (test=fault-KIND on the command line; later the monitor's `fault KIND`).
 */
#ifndef KERNEL_FAULTS_H
#define KERNEL_FAULTS_H

/* Trigger fault `kind`. Returns only if the kind is unknown (or, wrongly, nothing faulted). */
void fault_trigger(const char *kind);

/* Space-separated list of the kinds, for help texts. */
extern const char fault_kinds[];

#endif

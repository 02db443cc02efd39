/* seqs/priv/stack.h — the layout of seqs_stack_t. Private: only stack/src may
 * touch these members; it is public so callers can allocate the struct.
 * (Owned by the core; modules add their state as one member each.) */
#ifndef SEQS_PRIV_STACK_H
#define SEQS_PRIV_STACK_H

#include <stdint.h>
#include "../opts.h"
#include "../counters.h"
#include "tcp.h"

/* CORE-TODO: the core implementer defines the module states here
 * (arp cache + pending queue, reassembly slots, txq, udp sockets, address state,
 * rng state, icmp rate limiter...). */
struct seqs_stack {
    uint64_t now;                 /* latest time passed in by the caller */
    seqs_counters_t cnt;
    struct seqs_tcp_state tcp;    /* owned by stack/src/tcp */
};

#endif

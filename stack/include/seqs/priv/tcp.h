/* seqs/priv/tcp.h — TCP's member of seqs_stack_t (owned by stack/src/tcp). */
#ifndef SEQS_PRIV_TCP_H
#define SEQS_PRIV_TCP_H

#include <stdint.h>

struct seqs_tcp_state {
    uint32_t reserved;   /* TCP-TODO: listeners, connections, SYN-cookie secret, ... */
};

#endif

/* seqs/tcp_counters.h — TCP's rows of the counter table (see counters.h). */
#ifndef SEQS_TCP_COUNTERS_H
#define SEQS_TCP_COUNTERS_H

#define SEQS_TCP_COUNTERS(X) \
    X(tcp_rx)                \
    X(tcp_drop_checksum)     \
    X(tcp_drop_header)       /* data offset or options malformed */ \
    X(tcp_drop_no_socket)    /* segment to a closed port (RST sent when allowed) */ \
    X(tcp_tx_rst)

#endif

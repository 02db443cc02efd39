/* seqs/tcp.h — TCP sockets (listen/accept/connect/read/write/shutdown/close/abort).
 * TCP-TODO: the TCP implementer declares the socket API here; seqs.h includes it. */
#ifndef SEQS_TCP_H
#define SEQS_TCP_H

#include <stddef.h>
#include <stdint.h>

#endif

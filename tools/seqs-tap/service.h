/* SPDX-License-Identifier: BSD-3-Clause */
/* service.h — the plug-in interface for what seqs-tap serves on its stack.
 *
 * Each service is one svc_ops_t in its own svc_*.c file plus one line in the
 * table in services.c; its command-line option (--udp-echo PORT, later
 * --tcp-echo PORT, --tcp-discard PORT, --tcp-source PORT, --http PORT,
 * --dhcp, client modes ...) is generated from that table. The option may be
 * given several times: each occurrence is one instance.
 *
 * The stack is sans-IO and its sockets are polled, so a service is driven by
 * the event loop: after frames went into the stack (or a deadline passed) the
 * loop calls poll() on every instance, transmits what the stack queued, and
 * repeats while any poll() reports progress. */
#ifndef SEQS_TAP_SERVICE_H
#define SEQS_TAP_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <seqs/seqs.h>

typedef struct svc svc_t;

typedef struct svc_ops {
    const char *option;    /* long option without the dashes, e.g. "udp-echo" */
    const char *argname;   /* metavar shown by --help; NULL if the option takes no argument */
    const char *help;
    size_t state_size;     /* bytes of zeroed per-instance state (svc_t.state) */
    /* Checks the option argument (NULL when argname is NULL) and fills the state.
     * Returns 0, or -1 with a message in err (seqs-tap then exits 2). */
    int (*parse)(svc_t *sv, const char *arg, char *err, size_t errlen);
    /* Called once the stack has its address: open sockets, listeners ... Returns 0 or -1 + err. */
    int (*start)(svc_t *sv, seqs_stack_t *s, uint64_t now_us, char *err, size_t errlen);
    /* Does whatever the stack now allows (read sockets, write replies). Returns > 0
     * if it did anything (the loop then transmits and polls again), 0 if idle. A
     * service that cannot queue more (SEQS_ERR_NOBUFS) keeps its data and returns
     * 1: the loop drains the transmit queue and calls again. */
    int (*poll)(svc_t *sv, seqs_stack_t *s, uint64_t now_us);
    /* Optional: the next time poll() must run even if nothing arrives (SEQS_NEVER if none). */
    uint64_t (*deadline)(const svc_t *sv);
    /* Optional, for client modes: 0 while working, 1 once it finished its job,
     * -1 if it finished and failed. When every instance that has this hook has
     * finished, seqs-tap exits (status 1 if any failed). */
    int (*finished)(const svc_t *sv);
    /* Writes the instance's counters as JSON object members ("rx":1,"tx":2), no braces. */
    void (*report)(const svc_t *sv, FILE *f);
    /* Optional: close sockets (the stack is still alive). */
    void (*stop)(svc_t *sv, seqs_stack_t *s);
} svc_ops_t;

struct svc {
    const svc_ops_t *ops;
    void *state;
    char arg[64];          /* the option argument as given, for reports */
};

/* NULL-terminated table of every service seqs-tap knows (services.c). */
extern const svc_ops_t *const seqs_tap_services[];

/* The services, one per file. */
extern const svc_ops_t svc_udp_echo;
extern const svc_ops_t svc_tcp_echo;
extern const svc_ops_t svc_tcp_discard;
extern const svc_ops_t svc_tcp_source;
extern const svc_ops_t svc_ping;
extern const svc_ops_t svc_tcp_client;
extern const svc_ops_t svc_dhcp_server, svc_dhcp_lease, svc_dhcp_router, svc_dhcp_dns;
extern const svc_ops_t svc_http, svc_http_root, svc_http_get;   /* svc_http.c */
extern const svc_ops_t svc_resolve;
extern const svc_ops_t svc_ntp;

#endif

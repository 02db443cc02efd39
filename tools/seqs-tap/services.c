/* SPDX-License-Identifier: BSD-3-Clause */
/* services.c — the table of services seqs-tap can run on its stack.
 * To add one (TCP echo/discard/source, HTTP, DHCP, a client mode ...): write
 * svc_<name>.c implementing svc_ops_t (see service.h), declare it in
 * service.h and list it here. The option, --help text and JSON report follow. */
#include "service.h"

const svc_ops_t *const seqs_tap_services[] = {
    &svc_udp_echo,     /* --udp-echo PORT */
    &svc_tcp_echo,     /* --tcp-echo PORT */
    &svc_tcp_discard,  /* --tcp-discard PORT */
    &svc_tcp_source,   /* --tcp-source PORT */
    &svc_ping,         /* --ping A.B.C.D[:COUNT[:SIZE[:MS]]]   (client) */
    &svc_tcp_client,   /* --tcp-client A.B.C.D:PORT[:BYTES]    (client) */
    &svc_dhcp_server, &svc_dhcp_lease, &svc_dhcp_router, &svc_dhcp_dns,  /* --dhcp-server FIRST-LAST [--lease S] [--dhcp-router A] [--dhcp-dns A] */
    &svc_http, &svc_http_root, &svc_http_get,   /* --http PORT, --http-root DIR, --http-get URL */
    &svc_resolve,      /* --resolve NAME@A.B.C.D               (client) */
    &svc_ntp,          /* --ntp A.B.C.D                        (client) */
    NULL,
};

/* SPDX-License-Identifier: BSD-3-Clause */
/* tap_dhcp.h — seqs-tap --dhcp [--hostname NAME]: the DHCP client of seqs/dhcp.h
 * on the tool's stack (it applies the lease itself), reported as JSON events on
 * stdout ({"event":"dhcp","state":"bound","addr":"192.0.2.57/24",...}) and a
 * readable line on stderr at every state change. */
#ifndef SEQS_TAP_DHCP_H
#define SEQS_TAP_DHCP_H

#include <stddef.h>
#include <stdio.h>

#include <seqs/seqs.h>

/* Starts the client (first DISCOVER queued at once; retransmission covers its loss
 * while the TAP comes up). Returns 0, or -1 with a message in err. */
int tap_dhcp_begin(seqs_stack_t *s, const char *hostname, char *err, size_t errlen);
/* Prints one event if the client's state or lease changed since the last call. */
void tap_dhcp_events(FILE *f);
/* The lease while one is held (services start once bound), else NULL (also without
 * --dhcp): --resolve NAME and --ntp dhcp take their servers from it (options 6, 42). */
const struct seqs_dhcp_lease *tap_dhcp_lease(void);
/* Writes `,"dhcp":{"state":..,"counters":{..}}` into the JSON report (nothing without --dhcp). */
void tap_dhcp_report(FILE *f);

#endif

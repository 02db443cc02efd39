/* SPDX-License-Identifier: BSD-3-Clause */
/* tap_dhcp.c — seqs-tap --dhcp: see tap_dhcp.h. */
#include "tap_dhcp.h"

#include <stdint.h>
#include <string.h>

#include <seqs/dhcp.h>

static seqs_dhcp_client_t g_dhcp;   /* one per process, like the stack */
static uint32_t g_seen = UINT32_MAX;
static int g_on;

static void ip4(FILE *f, uint32_t a)
{
    fprintf(f, "\"%u.%u.%u.%u\"", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void ip4_list(FILE *f, const uint32_t *a, unsigned n)
{
    fputc('[', f);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        ip4(f, a[i]);
    }
    fputc(']', f);
}

int tap_dhcp_begin(seqs_stack_t *s, const char *hostname, char *err, size_t errlen)
{
    seqs_dhcp_request_t req = {.hostname = hostname};
    int rc = seqs_dhcp_client_begin(s, &g_dhcp, &req);
    if (rc != SEQS_OK) {
        snprintf(err, errlen, "--dhcp: cannot start the DHCP client%s: %s",
                 rc == SEQS_ERR_INVAL ? " (--hostname must be 1..32 bytes)" : "", seqs_strerror(rc));
        return -1;
    }
    g_on = 1;
    return 0;
}

void tap_dhcp_events(FILE *f)
{
    if (!g_on || seqs_dhcp_client_changes(&g_dhcp) == g_seen)
        return;
    g_seen = seqs_dhcp_client_changes(&g_dhcp);
    const char *st = seqs_dhcp_state_name(seqs_dhcp_client_state(&g_dhcp));
    const seqs_dhcp_lease_t *l = seqs_dhcp_client_lease(&g_dhcp);
    fprintf(f, "{\"event\":\"dhcp\",\"state\":\"%s\"", st);
    if (l) {
        uint32_t a = l->addr;
        fprintf(f, ",\"addr\":\"%u.%u.%u.%u/%u\",\"router\":", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
                l->prefix_len);
        if (l->router)
            ip4(f, l->router);
        else
            fputs("null", f);
        fputs(",\"dns\":", f);
        ip4_list(f, l->dns, l->dns_count);
        fputs(",\"ntp\":", f);
        ip4_list(f, l->ntp, l->ntp_count);
        fputs(",\"server\":", f);
        ip4(f, l->server_id);
        fprintf(f, ",\"lease_s\":%lu,\"t1_s\":%lu,\"t2_s\":%lu", (unsigned long)l->lease_s, (unsigned long)l->t1_s,
                (unsigned long)l->t2_s);
        fprintf(stderr, "seqs-tap: dhcp %s %u.%u.%u.%u/%u lease %lu s\n", st, a >> 24, (a >> 16) & 255,
                (a >> 8) & 255, a & 255, l->prefix_len, (unsigned long)l->lease_s);
    } else {
        fprintf(stderr, "seqs-tap: dhcp %s\n", st);
    }
    fputs("}\n", f);
    fflush(f);
}

const seqs_dhcp_lease_t *tap_dhcp_lease(void)
{
    return g_on ? seqs_dhcp_client_lease(&g_dhcp) : NULL;
}

void tap_dhcp_report(FILE *f)
{
    if (!g_on)
        return;
    fprintf(f, ",\"dhcp\":{\"state\":\"%s\",\"client_size\":%zu,\"counters\":{",
            seqs_dhcp_state_name(seqs_dhcp_client_state(&g_dhcp)), sizeof g_dhcp);
    for (unsigned i = 0; i < SEQS_DHCP_CLIENT_COUNTER_COUNT; i++)
        fprintf(f, "%s\"%s\":%lu", i ? "," : "", seqs_dhcp_client_counter_name(i),
                (unsigned long)seqs_dhcp_client_counter_value(&g_dhcp, i));
    fputs("}}", f);
}

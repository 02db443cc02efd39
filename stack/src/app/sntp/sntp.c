/* SPDX-License-Identifier: BSD-3-Clause */
/* sntp.c — the SNTP client (seqs/sntp.h): RFC 4330 request/reply checks with
 * the RFC 5905 7.3/7.4/8 rules, offset and delay in 64-bit integers. */
#include <stddef.h>
#include <string.h>

#include "seqs/seqs.h"
#include "seqs/sntp.h"
#include "seqs/wire/ntp.h"

#include "../app_time.h"

_Static_assert(offsetof(seqs_sntp_t, app) == 0, "the app hook must be the first member");

static seqs_sntp_t *from_app(seqs_app_t *a) { return (seqs_sntp_t *)(void *)a; }
static const seqs_sntp_t *from_capp(const seqs_app_t *a) { return (const seqs_sntp_t *)(const void *)a; }

#define US_PER_S 1000000

int64_t seqs_ntp_to_unix_us(uint64_t ntp) {
    uint64_t secs = ntp >> 32;
    uint64_t frac = ntp & 0xFFFFFFFFu;
    /* RFC 4330 3: MSB set -> 1968..2036 (era 0), clear -> 2036..2104 (era 1). */
    if (!(secs & 0x80000000u))
        secs += (uint64_t)1 << 32;
    int64_t unix_s = (int64_t)secs - (int64_t)SEQS_SNTP_UNIX_OFFSET_S;
    int64_t us = (int64_t)((frac * US_PER_S + 0x80000000u) >> 32);
    return unix_s * US_PER_S + us;
}

uint64_t seqs_unix_us_to_ntp(int64_t unix_us) {
    /* Floor division by 10^6 without a 64-bit divide: for x < 0, -x - 1 =
     * q 10^6 + r gives x = -(q + 1) 10^6 + (10^6 - 1 - r). */
    int64_t s;
    uint32_t rem;
    if (unix_us >= 0) {
        s = (int64_t)seqs_app_us_to_s((uint64_t)unix_us, &rem);
    } else {
        uint32_t r;
        s = -(int64_t)seqs_app_us_to_s((uint64_t)(-(unix_us + 1)), &r) - 1;
        rem = US_PER_S - 1 - r;
    }
    uint64_t ntp_s = (uint64_t)(s + (int64_t)SEQS_SNTP_UNIX_OFFSET_S) & 0xFFFFFFFFu;
    uint64_t frac = seqs_app_us_to_s(((uint64_t)rem << 32) + US_PER_S / 2, NULL);
    if (frac > 0xFFFFFFFFu)
        frac = 0xFFFFFFFFu;
    return (ntp_s << 32) | frac;
}

void seqs_sntp_config_default(seqs_sntp_config_t *cfg) {
    if (!cfg)
        return;
    cfg->poll_s = 64;
    cfg->max_poll_s = 1024;
    cfg->reply_timeout_ms = 5000;
    cfg->first_max_ms = 1000;
    cfg->port = SEQS_SNTP_PORT;
}

static void halt(seqs_stack_t *s, seqs_sntp_t *c) {
    if (c->udp) {
        seqs_udp_close(s, c->udp);
        c->udp = 0;
    }
    c->running = 0;
    c->outstanding = 0;
}

static void back_off(seqs_sntp_t *c) {
    uint32_t n = c->interval_s * 2u;
    if (n < c->interval_s || n > c->cfg.max_poll_s)
        n = c->cfg.max_poll_s;
    c->interval_s = n;
}

static void send_request(seqs_stack_t *s, seqs_sntp_t *c, uint64_t now) {
    uint8_t pkt[SEQS_NTP_LEN];
    memset(pkt, 0, sizeof pkt);
    pkt[0] = (uint8_t)((0u << 6) | (4u << 3) | SEQS_NTP_MODE_CLIENT);   /* LI 0, VN 4, mode 3 */
    /* RFC 5905 9 / data minimisation: the transmit timestamp is random (and
     * never zero); the reply must echo it as its origin timestamp. */
    do {
        seqs_put32(c->xmt, seqs_stack_random(s));
        seqs_put32(c->xmt + 4, seqs_stack_random(s));
    } while (seqs_be32(c->xmt) == 0 && seqs_be32(c->xmt + 4) == 0);
    memcpy(pkt + SEQS_NTP_OFF_XMT, c->xmt, 8);
    (void)seqs_udp_sendto(s, c->udp, pkt, sizeof pkt, c->server, c->cfg.port);
    /* A failed send (no address yet, queue full) is a lost request: the
     * schedule and the time-out treat it like one. */
    c->stats.requests++;
    c->outstanding = 1;
    c->sent_us = now;
    c->timeout_us = now + (uint64_t)c->cfg.reply_timeout_ms * 1000u;
    c->next_us = now + (uint64_t)c->interval_s * US_PER_S;
}

static void take_reply(seqs_stack_t *s, seqs_sntp_t *c, const uint8_t *p, size_t len, uint64_t now) {
    seqs_ntp_view_t v;
    if (seqs_ntp_view_init(&v, p, len) != SEQS_VIEW_OK) {
        c->stats.drop_malformed++;
        return;
    }
    if (seqs_ntp_mode(&v) != SEQS_NTP_MODE_SERVER) {
        c->stats.drop_mode++;
        return;
    }
    /* RFC 5905 8 (bogus check): the origin timestamp must be the transmit
     * timestamp of our outstanding request; this also drops duplicates. */
    if (!c->outstanding || memcmp(seqs_ntp_field(&v, SEQS_NTP_OFF_ORG), c->xmt, 8) != 0) {
        c->stats.drop_bogus++;
        return;
    }
    uint8_t stratum = seqs_ntp_stratum(&v);
    if (stratum == 0) {
        /* RFC 5905 7.4: Kiss-o'-Death; the code is in the reference id. No time is taken. */
        const uint8_t *code = seqs_ntp_field(&v, SEQS_NTP_OFF_REFID);
        c->stats.kod++;
        c->stats.replies++;
        c->outstanding = 0;
        memcpy(c->kod_code, code, 4);
        if (!memcmp(code, "DENY", 4) || !memcmp(code, "RSTR", 4)) {
            c->status = code[0] == 'D' ? SEQS_SNTP_KOD_DENY : SEQS_SNTP_KOD_RSTR;
            halt(s, c);   /* stop using this server */
        } else if (!memcmp(code, "RATE", 4)) {
            c->status = SEQS_SNTP_KOD_RATE;
            back_off(c);
            c->next_us = now + (uint64_t)c->interval_s * US_PER_S;
        }
        /* Other kiss codes: the reply is discarded, polling goes on. */
        return;
    }
    if (seqs_ntp_li(&v) == 3) {   /* RFC 4330 5: the server is not synchronised */
        c->stats.drop_unsync++;
        return;
    }
    if (stratum > 15) {
        c->stats.drop_stratum++;
        return;
    }
    uint64_t t3n = seqs_ntp_ts(&v, SEQS_NTP_OFF_XMT);
    if (t3n == 0) {
        c->stats.drop_zero_tx++;
        return;
    }
    /* RFC 4330 5: offset = ((T2 - T1) + (T3 - T4)) / 2, delay = (T4 - T1) - (T3 - T2).
     * T1/T4 are the caller's monotonic clock, T2/T3 the server's Unix time, so
     * the offset maps the caller's clock to Unix time. */
    int64_t t1 = (int64_t)c->sent_us, t4 = (int64_t)now;
    int64_t t2 = seqs_ntp_to_unix_us(seqs_ntp_ts(&v, SEQS_NTP_OFF_REC));
    int64_t t3 = seqs_ntp_to_unix_us(t3n);
    int64_t sum = (t2 - t1) + (t3 - t4);
    c->offset_us = sum >= 0 ? sum / 2 : -((-sum + 1) / 2);   /* floor, symmetric for either sign */
    int64_t delay = (t4 - t1) - (t3 - t2);
    c->delay_us = delay < 0 ? 0 : delay;
    c->sample_us = now;
    c->synced = 1;
    c->status = SEQS_SNTP_SYNCED;
    c->stratum = stratum;
    c->leap = (uint8_t)seqs_ntp_li(&v);   /* RFC 5905 7.3: a pending leap second is passed up */
    c->version = (uint8_t)seqs_ntp_vn(&v);
    c->refid = seqs_be32(seqs_ntp_field(&v, SEQS_NTP_OFF_REFID));
    c->outstanding = 0;
    c->stats.replies++;
    c->interval_s = c->cfg.poll_s;   /* a good reply ends any back-off */
    c->next_us = c->sent_us + (uint64_t)c->interval_s * US_PER_S;
}

static void sntp_poll(seqs_stack_t *s, seqs_app_t *app, uint64_t now) {
    seqs_sntp_t *c = from_app(app);
    if (!c->running)
        return;
    if (c->next_us == SEQS_NEVER) {
        /* RFC 4330 10: the first query after a random delay, so a fleet that
         * powers up together does not hit the server at once. */
        uint64_t jitter = 0;
        if (c->cfg.first_max_ms) {   /* a 32-bit random value modulo a bound that may exceed 32 bits */
            uint64_t bound = (uint64_t)c->cfg.first_max_ms * 1000u;
            uint32_t rnd = seqs_stack_random(s);
            jitter = bound > 0xFFFFFFFFu ? rnd : rnd % (uint32_t)bound;
        }
        c->next_us = now + jitter;
    }
    uint8_t buf[SEQS_NTP_LEN + 16];
    seqs_udp_meta_t meta;
    int n;
    while (c->running && (n = seqs_udp_recvfrom(s, c->udp, buf, sizeof buf, &meta)) >= 0) {
        if (meta.remote_addr != c->server || meta.remote_port != c->cfg.port) {
            c->stats.drop_source++;
            continue;
        }
        if (meta.truncated) {
            c->stats.drop_malformed++;
            continue;
        }
        take_reply(s, c, buf, (size_t)n, now);
    }
    if (!c->running)
        return;
    if (c->outstanding && now >= c->timeout_us) {
        /* RFC 4330 10: no reply -> the interval grows for the next attempts. */
        c->stats.timeouts++;
        c->outstanding = 0;
        c->status = SEQS_SNTP_TIMEOUT;
        back_off(c);
    }
    if (now >= c->next_us)
        send_request(s, c, now);
}

static uint64_t sntp_deadline(const seqs_stack_t *s, const seqs_app_t *app) {
    (void)s;
    const seqs_sntp_t *c = from_capp(app);
    if (!c->running)
        return SEQS_NEVER;
    uint64_t d = c->next_us;
    if (c->outstanding && c->timeout_us < d)
        d = c->timeout_us;
    return d;
}

static const seqs_app_ops_t sntp_ops = {sntp_poll, sntp_deadline, NULL};

int seqs_sntp_start(seqs_stack_t *s, seqs_sntp_t *c, uint32_t server, const seqs_sntp_config_t *cfg) {
    seqs_sntp_config_t def;
    if (!s || !c)
        return SEQS_ERR_INVAL;
    if (!cfg) {
        seqs_sntp_config_default(&def);
        cfg = &def;
    }
    if (server == 0 || server == 0xFFFFFFFFu || (server >> 28) == 0xEu || cfg->poll_s < SEQS_SNTP_MIN_POLL_S ||
        cfg->max_poll_s < cfg->poll_s || cfg->reply_timeout_ms == 0 ||
        cfg->reply_timeout_ms > (uint64_t)cfg->poll_s * 1000u || cfg->port == 0)
        return SEQS_ERR_INVAL;
    /* c may be uninitialised: attaching refuses one already in s's list. */
    int rc = seqs_app_attach(s, &c->app, &sntp_ops);
    if (rc < 0)
        return rc;
    memset((uint8_t *)c + sizeof c->app, 0, sizeof *c - sizeof c->app);
    rc = seqs_udp_open(s, &c->udp, c->rxbuf, sizeof c->rxbuf);
    if (rc >= 0)
        rc = seqs_udp_bind(s, c->udp, 0, 0);   /* a random source port */
    if (rc < 0) {
        if (c->udp)
            seqs_udp_close(s, c->udp);
        c->udp = 0;
        seqs_app_detach(s, &c->app);
        return rc;
    }
    c->server = server;
    c->cfg = *cfg;
    c->interval_s = cfg->poll_s;
    c->next_us = SEQS_NEVER;   /* picked with jitter at the first poll */
    c->running = 1;
    c->status = SEQS_SNTP_WAITING;
    seqs_app_kick(&c->app);
    return SEQS_OK;
}

int seqs_sntp_stop(seqs_stack_t *s, seqs_sntp_t *c) {
    if (!s || !c || seqs_app_stack(&c->app) != s)
        return SEQS_ERR_INVAL;
    halt(s, c);
    if (c->status == SEQS_SNTP_WAITING)
        c->status = SEQS_SNTP_IDLE;
    return seqs_app_detach(s, &c->app);
}

seqs_sntp_status_t seqs_sntp_status(const seqs_sntp_t *c) { return c ? (seqs_sntp_status_t)c->status : SEQS_SNTP_IDLE; }

const char *seqs_sntp_status_name(int status) {
    switch (status) {
    case SEQS_SNTP_IDLE: return "idle";
    case SEQS_SNTP_WAITING: return "waiting";
    case SEQS_SNTP_SYNCED: return "synced";
    case SEQS_SNTP_TIMEOUT: return "timeout";
    case SEQS_SNTP_KOD_RATE: return "kod-rate";
    case SEQS_SNTP_KOD_DENY: return "kod-deny";
    case SEQS_SNTP_KOD_RSTR: return "kod-rstr";
    default: return "unknown";
    }
}

int seqs_sntp_synced(const seqs_sntp_t *c) { return c ? c->synced : 0; }
int64_t seqs_sntp_offset_us(const seqs_sntp_t *c) { return c ? c->offset_us : 0; }
int64_t seqs_sntp_delay_us(const seqs_sntp_t *c) { return c ? c->delay_us : 0; }
int64_t seqs_sntp_now(const seqs_sntp_t *c, uint64_t mono_us) {
    return (c && c->synced) ? (int64_t)mono_us + c->offset_us : 0;
}
int seqs_sntp_stratum(const seqs_sntp_t *c) { return c ? c->stratum : 0; }
int seqs_sntp_leap(const seqs_sntp_t *c) { return c ? c->leap : 0; }
uint32_t seqs_sntp_refid(const seqs_sntp_t *c) { return c ? c->refid : 0; }
uint32_t seqs_sntp_interval_s(const seqs_sntp_t *c) { return c ? c->interval_s : 0; }
uint64_t seqs_sntp_next_request_us(const seqs_sntp_t *c) { return (c && c->running) ? c->next_us : SEQS_NEVER; }
const seqs_sntp_stats_t *seqs_sntp_stats(const seqs_sntp_t *c) { return c ? &c->stats : NULL; }

/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_dns_sntp.cc — [[app]] types "dns-ntp-server" and "dns-sntp-client".
//
// dns-ntp-server: a tiny DNS and NTP responder on a seqs node, written for the
// simulation on plain UDP sockets (it is not a product): it answers one name with
// one A record (anything else NXDOMAIN), and NTP requests with the simulation
// clock shifted by `clock_offset_s` (so the true offset each client should find is
// known exactly). `hold_step` makes path asymmetry: the reply to the client whose
// address ends in k is stamped (T3) and then held k * hold_step before it is sent,
// exactly like a server whose reply waits in an egress queue after timestamping —
// for the client an extra one-way delay on the way back, which the SNTP offset
// formula cannot see: its expected error is -hold/2 (RFC 4330 5).
//
// dns-sntp-client: the seqs DNS stub resolver (seqs/dns.h) looks up `name` at the
// server once, and the seqs SNTP client (seqs/sntp.h) polls it for the whole run.
// Results per node: the lookup's status/address/TTL/time, and for NTP the samples,
// the measured offset, its error against the server's true clock, the path
// asymmetry the server applied and the residual error - expected (within 1 µs).
// Metrics: dns.resolved, dns.failed, ntp.synced, ntp.samples, ntp.residual_over_1us.
#include <cstring>

#include "app_registry.h"

extern "C" {
#include "seqs/dns.h"
#include "seqs/sntp.h"
#include "seqs/wire/dns.h"
}

#include "ns3/simulator.h"

namespace {

using seqs_sim::Fail;
using seqs_sim::StackNode;

class DnsNtpServer : public seqs_sim::App {
  public:
    DnsNtpServer(std::vector<uint8_t> qname, uint32_t addr, uint32_t ttl, int64_t offset_us, uint64_t hold_step_us)
        : qname_(std::move(qname)), addr_(addr), ttl_(ttl), offset_us_(offset_us), hold_step_us_(hold_step_us) {}
    int64_t offset_us() const { return offset_us_; }
    uint64_t hold_us(uint32_t client) const { return (uint64_t)(client & 0xFFu) * hold_step_us_; }

    void Start(StackNode& node) override {
        seqs_stack_t* s = node.stack();
        open_error_ = seqs_udp_open(s, &dns_, dns_ring_, sizeof dns_ring_);
        if (!open_error_) open_error_ = seqs_udp_bind(s, dns_, 0, 53);
        if (!open_error_) open_error_ = seqs_udp_open(s, &ntp_, ntp_ring_, sizeof ntp_ring_);
        if (!open_error_) open_error_ = seqs_udp_bind(s, ntp_, 0, 123);
    }

    void OnStackEvent(StackNode& node) override {
        if (open_error_) return;
        seqs_stack_t* s = node.stack();
        uint8_t m[600];
        seqs_udp_meta_t meta;
        int n;
        while ((n = seqs_udp_recvfrom(s, dns_, m, sizeof m, &meta)) >= 0) {
            seqs_dns_view_t v;
            uint8_t name[255];
            size_t nl = 0, after = 0;
            if (meta.truncated || seqs_dns_view_init(&v, m, (size_t)n) != SEQS_VIEW_OK || seqs_dns_qr(&v) ||
                seqs_dns_qdcount(&v) != 1 || seqs_dns_name_decode(&v, 12, name, sizeof name, &nl, &after) != 0 ||
                after + 4 > (size_t)n) {
                dns_bad_++;
                continue;
            }
            bool known = seqs_dns_name_eq(name, nl, qname_.data(), qname_.size()) &&
                         seqs_be16(m + after) == SEQS_DNS_TYPE_A;
            size_t len = after + 4;
            m[2] = (uint8_t)(0x80 | (m[2] & 0x01));   // QR, RD copied
            m[3] = known ? 0x80 : 0x83;                 // RA; NOERROR or NXDOMAIN
            std::memset(m + 6, 0, 6);
            m[7] = known ? 1 : 0;
            if (known) {
                uint8_t rr[16] = {0xC0, 12, 0, 1, 0, 1};
                seqs_put32(rr + 6, ttl_);
                seqs_put16(rr + 10, 4);
                seqs_put32(rr + 12, addr_);
                std::memcpy(m + len, rr, sizeof rr);
                len += sizeof rr;
            }
            seqs_udp_meta_t out{};
            out.remote_addr = meta.remote_addr;
            out.remote_port = meta.remote_port;
            if (seqs_udp_sendmsg(s, dns_, m, len, &out) >= 0) dns_answered_++;
        }
        while ((n = seqs_udp_recvfrom(s, ntp_, m, sizeof m, &meta)) >= 0) {
            if (n < 48 || (m[0] & 7) != 3) {
                ntp_bad_++;
                continue;
            }
            int64_t t = (int64_t)StackNode::NowUs() + offset_us_;
            Reply r{};
            r.to = meta.remote_addr;
            r.port = meta.remote_port;
            r.b[0] = (4 << 3) | 4;   // LI 0, VN 4, mode 4
            r.b[1] = 1;              // stratum 1
            r.b[2] = 6;
            r.b[3] = 0xEC;
            std::memcpy(r.b + 12, "SIM", 3);
            std::memcpy(r.b + 24, m + 40, 8);   // origin = the client's transmit timestamp
            put_ts(r.b + 16, t - 1000000);
            put_ts(r.b + 32, t);                 // T2
            put_ts(r.b + 40, t);                 // T3: stamped now, sent after the hold
            uint64_t hold = hold_us(meta.remote_addr);
            if (hold == 0) {
                Send(node, r);
            } else {
                ns3::Simulator::Schedule(ns3::MicroSeconds((int64_t)hold), &DnsNtpServer::SendLater, this, &node, r);
            }
        }
    }

    nlohmann::json Results() const override {
        nlohmann::json j = {{"dns_answered", dns_answered_}, {"dns_bad", dns_bad_}, {"ntp_answered", ntp_answered_},
                            {"ntp_bad", ntp_bad_}, {"clock_offset_us", offset_us_}, {"hold_step_us", hold_step_us_}};
        if (open_error_) j["open_error"] = seqs_strerror(open_error_);
        return j;
    }
    std::string Type() const override { return "dns-ntp-server"; }

  private:
    struct Reply {
        uint8_t b[48];
        uint32_t to;
        uint16_t port;
    };
    static void put_ts(uint8_t* p, int64_t unix_us) {
        uint64_t ts = seqs_unix_us_to_ntp(unix_us);
        seqs_put32(p, (uint32_t)(ts >> 32));
        seqs_put32(p + 4, (uint32_t)ts);
    }
    void Send(StackNode& node, const Reply& r) {
        seqs_udp_meta_t out{};
        out.remote_addr = r.to;
        out.remote_port = r.port;
        if (seqs_udp_sendmsg(node.stack(), ntp_, r.b, sizeof r.b, &out) >= 0) ntp_answered_++;
    }
    void SendLater(StackNode* node, Reply r) {
        Send(*node, r);
        node->Kick();
    }

    std::vector<uint8_t> qname_;
    uint32_t addr_, ttl_;
    int64_t offset_us_;
    uint64_t hold_step_us_;
    seqs_udp_t dns_ = 0, ntp_ = 0;
    uint8_t dns_ring_[2048], ntp_ring_[1024];
    int open_error_ = 0;
    uint64_t dns_answered_ = 0, dns_bad_ = 0, ntp_answered_ = 0, ntp_bad_ = 0;
};

class DnsSntpClient : public seqs_sim::App {
  public:
    DnsSntpClient(const DnsNtpServer* srv, uint32_t server, std::string name, uint32_t poll_s)
        : srv_(srv), server_(server), name_(std::move(name)), poll_s_(poll_s) {}

    void Start(StackNode& node) override {
        seqs_stack_t* s = node.stack();
        start_us_ = StackNode::NowUs();
        started_ = true;
        addr_ = node.addr();
        dns_rc_ = seqs_dns_init(s, &r_);
        if (!dns_rc_) dns_rc_ = seqs_dns_set_servers(&r_, &server_, 1);
        if (!dns_rc_) dns_rc_ = seqs_dns_resolve(s, &r_, &q_, name_.c_str());
        seqs_sntp_config_t cfg;
        seqs_sntp_config_default(&cfg);
        cfg.poll_s = poll_s_;
        cfg.reply_timeout_ms = 3000;
        ntp_rc_ = seqs_sntp_start(s, &c_, server_, &cfg);
        node.Kick();
    }

    void OnStackEvent(StackNode& node) override {
        (void)node;
        if (!started_) return;   // the stack runs (ARP, other apps) before this app's start time
        if (!dns_rc_ && !dns_done_us_ && seqs_dns_query_status(&q_) != SEQS_DNS_PENDING)
            dns_done_us_ = StackNode::NowUs();
        if (!ntp_rc_ && seqs_sntp_stats(&c_)->replies != replies_seen_) {
            replies_seen_ = seqs_sntp_stats(&c_)->replies;
            if (seqs_sntp_status(&c_) == SEQS_SNTP_SYNCED) {
                samples_++;
                int64_t err = seqs_sntp_offset_us(&c_) - srv_->offset_us();
                int64_t expected = -(int64_t)srv_->hold_us(addr_) / 2;
                int64_t resid = err - expected;
                if (resid < -1 || resid > 1) residual_over_++;
                if (err < err_min_) err_min_ = err;
                if (err > err_max_) err_max_ = err;
                if (!first_sync_us_) first_sync_us_ = StackNode::NowUs() - start_us_;
            }
        }
    }

    nlohmann::json Results() const override {
        nlohmann::json d = {{"name", name_}, {"status", seqs_dns_status_name(seqs_dns_query_status(&q_))}};
        if (dns_rc_) d["error"] = seqs_strerror(dns_rc_);
        if (seqs_dns_query_status(&q_) == SEQS_DNS_OK) {
            uint32_t a[SEQS_DNS_MAX_ADDRS];
            seqs_dns_query_addrs(&q_, a, SEQS_DNS_MAX_ADDRS);
            d["addr"] = seqs_sim::Ip4(a[0]);
            d["ttl"] = seqs_dns_query_ttl(&q_);
        }
        if (dns_done_us_) d["time_us"] = dns_done_us_ - start_us_;
        const seqs_dns_stats_t* ds = seqs_dns_stats(&r_);
        d["queries_tx"] = ds->queries_tx;
        d["retransmits"] = ds->retransmits;
        const seqs_sntp_stats_t* ns = seqs_sntp_stats(&c_);
        nlohmann::json n = {{"status", seqs_sntp_status_name(seqs_sntp_status(&c_))},
                            {"requests", ns->requests}, {"replies", ns->replies}, {"timeouts", ns->timeouts},
                            {"samples", samples_}, {"path_asymmetry_us", -(int64_t)srv_->hold_us(addr_)},
                            {"expected_error_us", -(int64_t)srv_->hold_us(addr_) / 2},
                            {"residual_over_1us", residual_over_}};
        if (ntp_rc_) n["error"] = seqs_strerror(ntp_rc_);
        if (samples_) {
            n["offset_error_us"] = seqs_sntp_offset_us(&c_) - srv_->offset_us();
            n["offset_error_min_us"] = err_min_;
            n["offset_error_max_us"] = err_max_;
            n["delay_us"] = seqs_sntp_delay_us(&c_);
            n["first_sync_us"] = first_sync_us_;
        }
        return {{"dns", d}, {"ntp", n}};
    }
    std::string Type() const override { return "dns-sntp-client"; }
    void AddMetrics(std::map<std::string, double>& m) const override {
        bool ok = seqs_dns_query_status(&q_) == SEQS_DNS_OK;
        m["dns.resolved"] += ok;
        m["dns.failed"] += !ok;
        m["ntp.synced"] += samples_ > 0;
        m["ntp.samples"] += (double)samples_;
        m["ntp.residual_over_1us"] += (double)residual_over_;
    }

  private:
    const DnsNtpServer* srv_;
    uint32_t server_;
    std::string name_;
    uint32_t poll_s_;
    uint32_t addr_ = 0;
    seqs_dns_resolver_t r_{};
    seqs_dns_query_t q_{};
    seqs_sntp_t c_{};
    int dns_rc_ = 0, ntp_rc_ = 0;
    bool started_ = false;
    uint64_t start_us_ = 0, dns_done_us_ = 0, first_sync_us_ = 0;
    uint32_t replies_seen_ = 0;
    uint64_t samples_ = 0, residual_over_ = 0;
    int64_t err_min_ = INT64_MAX, err_max_ = INT64_MIN;
};

const DnsNtpServer* FindServer(seqs_sim::ScenarioContext& ctx, const std::string& node, const std::string& where) {
    for (size_t j = 0; j < ctx.NodeCount(); j++) {
        if (ctx.NodeName(j) != node) continue;
        for (auto& a : ctx.StackAt(j).apps())
            if (auto* s = dynamic_cast<const DnsNtpServer*>(a.get())) return s;
        Fail(where + ".server: node '" + node + "' runs no dns-ntp-server app (declare that app first)");
    }
    Fail(where + ".server: no node named '" + node + "'");
}

void BuildServer(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "name", "addr", "ttl", "clock_offset_s", "hold_step"}, spec.where);
    std::string name = seqs_sim::Str(t, "name", "www.sim.test", spec.where);
    std::vector<uint8_t> w(255);
    int wl = seqs_dns_name_from_text(name.c_str(), w.data(), w.size());
    if (wl < 0) Fail(seqs_sim::KeyAt(t, "name", spec.where) + ": not a valid host name");
    w.resize((size_t)wl);
    uint32_t addr = seqs_sim::ParseIp(seqs_sim::Str(t, "addr", "198.51.100.80", spec.where), spec.where + ".addr");
    auto ttl = (uint32_t)seqs_sim::IntIn(t, "ttl", 300, 0, 0x7FFFFFFF, spec.where);
    // Unix seconds the server's clock reads at simulated time 0 (default: 2026-01-01).
    int64_t off_s = seqs_sim::IntIn(t, "clock_offset_s", 1767225600, 0, 4000000000LL, spec.where);
    ns3::Time hold = seqs_sim::TimeKey(t, "hold_step", "0ms", spec.where);
    if (hold.IsStrictlyNegative()) Fail(seqs_sim::KeyAt(t, "hold_step", spec.where) + ": must be >= 0");
    for (size_t i : spec.on)
        ctx.StackAt(i).AddApp(std::make_unique<DnsNtpServer>(w, addr, ttl, off_s * 1000000,
                                                             (uint64_t)hold.GetMicroSeconds()),
                              spec.start);
}

void BuildClient(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "server", "name", "poll"}, spec.where);
    std::string server = seqs_sim::Str(t, "server", "", spec.where);
    if (server.empty()) Fail(spec.where + ": needs 'server' (the node running dns-ntp-server)");
    const DnsNtpServer* srv = FindServer(ctx, server, spec.where);
    uint32_t saddr = 0;
    for (size_t j = 0; j < ctx.NodeCount(); j++)
        if (ctx.NodeName(j) == server) saddr = ctx.NodeAddr(j);
    if (!saddr) Fail(spec.where + ".server: node '" + server + "' has no static address");
    std::string name = seqs_sim::Str(t, "name", "www.sim.test", spec.where);
    ns3::Time poll = seqs_sim::TimeKey(t, "poll", "16s", spec.where);
    if (poll < ns3::Seconds(SEQS_SNTP_MIN_POLL_S))
        Fail(seqs_sim::KeyAt(t, "poll", spec.where) + ": at least 15s (RFC 4330 10)");
    for (size_t i : spec.on)
        ctx.StackAt(i).AddApp(std::make_unique<DnsSntpClient>(srv, saddr, name, (uint32_t)poll.GetSeconds()),
                              spec.start);
    ctx.DueBy(spec.start + poll);   // the first poll (and the lookup) within one interval
}

SEQS_SIM_APP("dns-ntp-server", BuildServer);
SEQS_SIM_APP("dns-sntp-client", BuildClient);

}  // namespace

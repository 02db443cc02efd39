/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_dhcp.cc — [[app]] types "dhcp-server" (seqs/dhcp_server.h) and "dhcp-client"
// (seqs/dhcp.h): both are core applications on the stack's app hook, so the adapter's
// scheduling of the stack's next deadline drives their timers.
//
//   [[app]]  type = "dhcp-server"  on = "srv"  pool = "192.0.2.10-192.0.2.250"  lease = "1h"
//            # router = "192.0.2.1"  dns = ["192.0.2.1"]  offer_hold = "30s"  decline_hold = "10m"
//   [[app]]  type = "dhcp-client"  on = "c*"   start = "0s"  jitter = "1s"
//
// Metrics (summed over apps): dhcp.clients, dhcp.bound (clients holding a lease at the
// end, with the stack's address equal to it), dhcp.unbound, dhcp.duplicates (clients whose
// address another client also holds), dhcp.addr_mismatch, dhcp.retransmits, dhcp.naks,
// dhcp.conflicts; from the server: dhcps.bound, dhcps.offers, dhcps.acks, dhcps.naks,
// dhcps.pool_exhausted, dhcps.drops, and dhcp.last_bound_s (when the last client bound).
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app_registry.h"

extern "C" {
#include "seqs/dhcp.h"
#include "seqs/dhcp_server.h"
}

namespace {

using nlohmann::json;

// Which client holds which address (one scenario per process): duplicates are counted from it.
struct Registry {
    std::map<uint32_t, int> holders;
    uint64_t last_bound_us = 0;
};
Registry& Reg() {
    static Registry r;
    return r;
}

std::string Ip(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
           "." + std::to_string(a & 255);
}

class DhcpServerApp : public seqs_sim::App {
  public:
    DhcpServerApp(const seqs_dhcp_server_config_t& cfg, size_t table_len) : cfg_(cfg), table_(table_len) {}
    ~DhcpServerApp() override {
        if (node_ && srv_->running) seqs_dhcp_server_stop(node_->stack(), srv_.get());
    }
    void Start(seqs_sim::StackNode& node) override {
        node_ = &node;
        cfg_.table = table_.data();
        cfg_.table_len = table_.size();
        start_error_ = seqs_dhcp_server_start(node.stack(), srv_.get(), &cfg_);
        NS_ABORT_MSG_IF(start_error_ != SEQS_OK, "dhcp-server on " << node.name() << ": "
                                                                   << seqs_strerror(start_error_) << " ("
                                                                   << seqs_dhcp_server_cfg_strerror(
                                                                          seqs_dhcp_server_cfg_error(srv_.get()))
                                                                   << ")");
    }
    void OnStackEvent(seqs_sim::StackNode&) override {}
    json Results() const override {
        json j = {{"pool", Ip(cfg_.pool_first) + "-" + Ip(cfg_.pool_last)}, {"lease_s", cfg_.lease_s}};
        json c;
        for (unsigned i = 0; i < SEQS_DHCPS_COUNTER_COUNT; i++)
            c[seqs_dhcp_server_counter_name(i)] = seqs_dhcp_server_counter_value(srv_.get(), i);
        j["counters"] = c;
        json by;
        for (auto& [k, v] : States()) by[k] = v;
        j["leases"] = by;
        return j;
    }
    std::string Type() const override { return "dhcp-server"; }
    void AddMetrics(std::map<std::string, double>& m) const override {
        const seqs_dhcp_server_counters_t* c = seqs_dhcp_server_counters(srv_.get());
        auto st = States();
        m["dhcps.bound"] += st["bound"];
        m["dhcps.offers"] += c->tx_offer;
        m["dhcps.acks"] += c->tx_ack;
        m["dhcps.naks"] += c->tx_nak;
        m["dhcps.pool_exhausted"] += c->pool_exhausted;
        m["dhcps.drops"] += c->drop_truncated + c->drop_op + c->drop_htype + c->drop_cookie + c->drop_options +
                            c->drop_no_type + c->drop_type + c->drop_malformed;
        m["dhcp.last_bound_s"] = (double)Reg().last_bound_us / 1e6;
    }

  private:
    std::map<std::string, double> States() const {
        std::map<std::string, double> by;
        size_t cur = 0;
        seqs_dhcps_lease_info_t li;
        while (seqs_dhcp_server_lease_next(srv_.get(), &cur, &li)) by[seqs_dhcp_server_lease_state_name(li.state)]++;
        return by;
    }
    seqs_dhcp_server_config_t cfg_;
    std::vector<seqs_dhcps_lease_t> table_;
    std::unique_ptr<seqs_dhcp_server_t> srv_ = std::make_unique<seqs_dhcp_server_t>();
    seqs_sim::StackNode* node_ = nullptr;
    int start_error_ = 0;
};

class DhcpClientApp : public seqs_sim::App {
  public:
    ~DhcpClientApp() override {
        if (node_ && seqs_dhcp_client_state(c_.get()) != SEQS_DHCP_STOPPED) seqs_dhcp_client_stop(node_->stack(), c_.get());
    }
    void Start(seqs_sim::StackNode& node) override {
        node_ = &node;
        begin_error_ = seqs_dhcp_client_begin(node.stack(), c_.get(), nullptr);
        NS_ABORT_MSG_IF(begin_error_ != SEQS_OK, "dhcp-client on " << node.name() << ": " << seqs_strerror(begin_error_));
    }
    void OnStackEvent(seqs_sim::StackNode&) override {
        uint32_t now_addr = seqs_dhcp_client_done(c_.get()) ? seqs_dhcp_client_offer(c_.get()) : 0;
        if (now_addr == held_) return;
        auto& reg = Reg();
        if (held_ && --reg.holders[held_] == 0) reg.holders.erase(held_);
        held_ = now_addr;
        if (held_) {
            reg.holders[held_]++;
            uint64_t t = seqs_sim::StackNode::NowUs();
            if (!bound_at_us_) bound_at_us_ = t;
            reg.last_bound_us = std::max(reg.last_bound_us, t);
        }
    }
    json Results() const override {
        const seqs_dhcp_client_counters_t* c = seqs_dhcp_client_counters(c_.get());
        json j = {{"state", seqs_dhcp_state_name(seqs_dhcp_client_state(c_.get()))},
                  {"addr", Ip(held_)},
                  {"bound_at_us", bound_at_us_},
                  {"tx_discover", c->tx_discover},
                  {"tx_request", c->tx_request},
                  {"retransmit", c->retransmit},
                  {"rx_nak", c->rx_nak},
                  {"conflicts", c->conflicts}};
        return j;
    }
    std::string Type() const override { return "dhcp-client"; }
    void AddMetrics(std::map<std::string, double>& m) const override {
        const seqs_dhcp_client_counters_t* c = seqs_dhcp_client_counters(c_.get());
        bool bound = held_ != 0;
        uint32_t stack_addr = node_ ? seqs_stack_addr(node_->stack(), nullptr, nullptr) : 0;
        m["dhcp.clients"] += 1;
        m["dhcp.bound"] += bound && stack_addr == held_;
        m["dhcp.unbound"] += !bound;
        m["dhcp.addr_mismatch"] += bound && stack_addr != held_;
        auto it = Reg().holders.find(held_);
        m["dhcp.duplicates"] += bound && it != Reg().holders.end() && it->second > 1;
        m["dhcp.retransmits"] += c->retransmit;
        m["dhcp.naks"] += c->rx_nak;
        m["dhcp.conflicts"] += c->conflicts;
    }

  private:
    std::unique_ptr<seqs_dhcp_client_t> c_ = std::make_unique<seqs_dhcp_client_t>();
    seqs_sim::StackNode* node_ = nullptr;
    uint32_t held_ = 0;
    uint64_t bound_at_us_ = 0;
    int begin_error_ = 0;
};

uint32_t ParseAddr(const toml::table& t, const char* key, const std::string& where) {
    return seqs_sim::ParseIp(seqs_sim::Str(t, key, "", where), seqs_sim::KeyAt(t, key, where));
}

void BuildServer(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const auto& t = spec.t;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "pool", "lease", "router", "dns", "offer_hold", "decline_hold"},
                        spec.where);
    std::string pool = seqs_sim::Str(t, "pool", "", spec.where);
    std::string pwhere = seqs_sim::KeyAt(t, "pool", spec.where);
    auto dash = pool.find('-');
    if (dash == std::string::npos) seqs_sim::Fail(pwhere + ": expected 'FIRST-LAST', got '" + pool + "'");
    seqs_dhcp_server_config_t cfg{};
    cfg.pool_first = seqs_sim::ParseIp(pool.substr(0, dash), pwhere);
    cfg.pool_last = seqs_sim::ParseIp(pool.substr(dash + 1), pwhere);
    if (cfg.pool_first > cfg.pool_last) seqs_sim::Fail(pwhere + ": first address after the last");
    cfg.lease_s = (uint32_t)seqs_sim::TimeKey(t, "lease", "1h", spec.where).GetSeconds();
    if (cfg.lease_s == 0) seqs_sim::Fail(seqs_sim::KeyAt(t, "lease", spec.where) + ": at least 1s");
    cfg.offer_hold_s = (uint32_t)seqs_sim::TimeKey(t, "offer_hold", "0s", spec.where).GetSeconds();
    cfg.decline_hold_s = (uint32_t)seqs_sim::TimeKey(t, "decline_hold", "0s", spec.where).GetSeconds();
    if (t.contains("router")) cfg.router = ParseAddr(t, "router", spec.where);
    if (auto* dns = t["dns"].as_array()) {
        std::string dwhere = seqs_sim::KeyAt(t, "dns", spec.where);
        for (auto& d : *dns) {
            auto s = d.value<std::string>();
            if (!s || cfg.dns_count >= SEQS_DHCPS_MAX_DNS)
                seqs_sim::Fail(dwhere + ": up to " + std::to_string(SEQS_DHCPS_MAX_DNS) + " A.B.C.D strings");
            cfg.dns[cfg.dns_count++] = seqs_sim::ParseIp(*s, dwhere);
        }
    }
    size_t table_len = (size_t)(cfg.pool_last - cfg.pool_first) + 1;
    for (size_t i : spec.on) {
        if (!ctx.NodeAddr(i)) seqs_sim::Fail(spec.where + ": dhcp-server node " + ctx.NodeName(i) + " needs an ip");
        ctx.StackAt(i).AddApp(std::make_unique<DhcpServerApp>(cfg, table_len), spec.start);
    }
}

void BuildClient(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    seqs_sim::CheckKeys(spec.t, {"type", "on", "start", "jitter"}, spec.where);
    ns3::Time jitter = seqs_sim::TimeKey(spec.t, "jitter", "1s", spec.where);
    for (size_t i : spec.on) {
        if (ctx.NodeAddr(i)) seqs_sim::Fail(spec.where + ": dhcp-client node " + ctx.NodeName(i) + " has an ip");
        seqs_sim::StackNode& n = ctx.StackAt(i);
        // Spread the starts (from the node's own stream: same seed, same run).
        ns3::Time at = spec.start + ns3::MicroSeconds((int64_t)n.rng()->GetInteger(
                                        0, (uint32_t)std::max<int64_t>(0, jitter.GetMicroSeconds())));
        n.AddApp(std::make_unique<DhcpClientApp>(), at);
    }
}

SEQS_SIM_APP("dhcp-server", BuildServer);
SEQS_SIM_APP("dhcp-client", BuildClient);

}  // namespace

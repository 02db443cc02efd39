/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_ping.cc — [[app]] types "udp-ping" and "icmp-ping" (seqs_sim::UdpPing, IcmpPing).
#include <set>

#include "app_registry.h"

namespace {

using seqs_sim::Fail;

void Build(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    const std::string& where = spec.where;
    bool udp = spec.type == "udp-ping";
    if (udp)
        seqs_sim::CheckKeys(t, {"type", "on", "start", "port", "targets", "count", "interval", "timeout", "size", "label"},
                            where);
    else
        seqs_sim::CheckKeys(t, {"type", "on", "start", "targets", "count", "interval", "timeout", "size", "label"}, where);
    std::string label = seqs_sim::Str(t, "label", "", where);
    static const std::set<std::string> reserved = {"ping", "udp-ping", "icmp-ping", "tcp", "echo", "link",
                                                   "counter", "adapter", "nodes"};
    if (reserved.count(label) || label.find('.') != std::string::npos)
        Fail(seqs_sim::KeyAt(t, "label", where) + ": label '" + label + "' is reserved or contains '.'");
    seqs_sim::PingParams p;
    // icmp-ping: the sequence number is 16 bits.
    p.count = (uint32_t)seqs_sim::IntIn(t, "count", 10, 1, udp ? 1000000 : 65536, where);
    p.interval = seqs_sim::TimeKey(t, "interval", "100ms", where);
    if (!p.interval.IsStrictlyPositive()) Fail(seqs_sim::KeyAt(t, "interval", where) + ": must be > 0");
    p.timeout = seqs_sim::TimeKey(t, "timeout", "1s", where);
    // Above the MTU the stack fragments; the peer reassembles (up to SEQS_REASM_MAX_BYTES).
    p.size = (uint16_t)seqs_sim::SizeKey(t, "size", 56, udp ? 10 : 0, 65000, where);
    p.port = (uint16_t)seqs_sim::IntIn(t, "port", 7, 1, 65535, where);
    auto* targets = t["targets"].as_array();
    if (!targets || targets->empty()) Fail(where + ": needs 'targets' (an array of node names)");
    for (size_t i : spec.on) {
        std::vector<seqs_sim::PingTarget> tg = ctx.Targets(i, *targets, where);
        std::unique_ptr<seqs_sim::App> app;
        if (udp) {
            app = std::make_unique<seqs_sim::UdpPing>(tg, p);
        } else {
            for (auto& a : ctx.StackAt(i).apps())
                if (a->Type() == "icmp-ping")
                    Fail(where + ": node '" + ctx.NodeName(i) + "' already runs an icmp-ping app (one per node)");
            app = std::make_unique<seqs_sim::IcmpPing>(tg, p);
        }
        ctx.StackAt(i).AddApp(std::move(app), spec.start, label);
    }
    ctx.DueBy(spec.start + seqs_sim::PingApp::Span(p));
}

SEQS_SIM_APP("udp-ping", Build);
SEQS_SIM_APP("icmp-ping", Build);

}  // namespace

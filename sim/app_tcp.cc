/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_tcp.cc — [[app]] types "tcp-sink" and "tcp-bulk" (seqs_sim::TcpSink, TcpBulk).
#include "app_registry.h"

namespace {

using seqs_sim::Fail;

void BuildSink(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    const std::string& where = spec.where;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "port", "rxbuf", "max_conns", "backlog", "pattern"}, where);
    int64_t backlog = seqs_sim::IntIn(t, "backlog", 0, 0, 255, where);   // 0 = max_conns
    std::string pattern = seqs_sim::Str(t, "pattern", "seqs", where);
    if (pattern != "seqs" && pattern != "zeros")
        Fail(seqs_sim::KeyAt(t, "pattern", where) + ": must be \"seqs\" or \"zeros\"");
    auto port = (uint16_t)seqs_sim::IntIn(t, "port", 5001, 1, 65535, where);
    auto rxbuf = (uint32_t)seqs_sim::SizeKey(t, "rxbuf", 16384, 536, 1 << 22, where);
    auto mc = (unsigned)seqs_sim::IntIn(t, "max_conns", 4, 1, 32, where);
    for (size_t i : spec.on)
        ctx.StackAt(i).AddApp(
            std::make_unique<seqs_sim::TcpSink>(port, rxbuf, mc, pattern == "zeros", (unsigned)backlog), spec.start);
}

void BuildBulk(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    const toml::table& t = spec.t;
    const std::string& where = spec.where;
    seqs_sim::CheckKeys(t, {"type", "on", "start", "port", "targets", "bytes", "txbuf", "rxbuf", "repeat", "gap"}, where);
    auto repeat = (uint32_t)seqs_sim::IntIn(t, "repeat", 1, 1, 100000, where);
    ns3::Time gap = seqs_sim::TimeKey(t, "gap", "0s", where);
    auto port = (uint16_t)seqs_sim::IntIn(t, "port", 5001, 1, 65535, where);
    uint64_t bytes = seqs_sim::SizeKey(t, "bytes", 1 << 20, 1, UINT64_C(1) << 40, where);
    auto txbuf = (uint32_t)seqs_sim::SizeKey(t, "txbuf", 16384, 536, 1 << 22, where);
    auto rxbuf = (uint32_t)seqs_sim::SizeKey(t, "rxbuf", 2048, 1, 1 << 22, where);
    auto* targets = t["targets"].as_array();
    if (!targets || targets->empty()) Fail(where + ": needs 'targets' (an array of node names)");
    for (size_t i : spec.on)
        for (auto& tg : ctx.Targets(i, *targets, where))
            ctx.StackAt(i).AddApp(std::make_unique<seqs_sim::TcpBulk>(tg, bytes, port, txbuf, rxbuf, repeat, gap),
                               spec.start);
}

SEQS_SIM_APP("tcp-sink", BuildSink);
SEQS_SIM_APP("tcp-bulk", BuildBulk);

}  // namespace

/* SPDX-License-Identifier: BSD-3-Clause */
// sim/app_udp_echo.cc — [[app]] type "udp-echo-server" (seqs_sim::UdpEchoServer).
#include "app_registry.h"

namespace {

void Build(const seqs_sim::AppSpec& spec, seqs_sim::ScenarioContext& ctx) {
    seqs_sim::CheckKeys(spec.t, {"type", "on", "start", "port", "rxbuf"}, spec.where);
    auto port = (uint16_t)seqs_sim::IntIn(spec.t, "port", 7, 1, 65535, spec.where);
    auto rxbuf = (uint32_t)seqs_sim::SizeKey(spec.t, "rxbuf", 16384, 256, 1 << 22, spec.where);
    for (size_t i : spec.on)
        ctx.StackAt(i).AddApp(std::make_unique<seqs_sim::UdpEchoServer>(port, rxbuf), spec.start);
}

SEQS_SIM_APP("udp-echo-server", Build);

}  // namespace

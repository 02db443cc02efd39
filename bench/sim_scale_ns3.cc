/* SPDX-License-Identifier: BSD-3-Clause */
// bench/sim_scale_ns3.cc — the ns-3-native side of bench/sim_scale: the same topology and
// traffic as the seqs scale scenarios, with ns-3's own Internet stack (ARP, IPv4, ICMP) on
// every host instead of a seqs stack, so the two runs differ only in the stack.
//
//   sim-scale-ns3 --nodes N --topology pairs|switch --duration 20 --interval-ms 50
//                 [--rate 1Gbps --delay-us 100] [--seed 1] [--count PINGS per host]
//
// Hosts i and i + N/2 ping each other (ns-3 V4Ping, 56 bytes, one request per interval from
// each side, the first at U(0, interval)). Topology "pairs": each pair on its own link;
// "switch": every host on its own link to one BridgeNetDevice. Links are the ones seqs-sim
// uses (sim/wire.h: SimpleNetDevice's behaviour, one object per link end), so the two runs
// differ only in the stack. Prints one JSON line: nodes, wall_s (Simulator::Run only), host_frames
// (frames in + out of the host stacks, counted where they arrive), peak RSS, pings answered.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ns3/bridge-helper.h"
#include "ns3/core-module.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/network-module.h"
#include "ns3/v4ping-helper.h"
#include "ns3/v4ping.h"
#include "wire.h"

using namespace ns3;

namespace {

uint64_t g_frames = 0;   // frames delivered to a device (host or switch port)
uint64_t g_replies = 0;

void CountRx(Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&, const Address&, NetDevice::PacketType) {
    g_frames++;
}
void CountRtt(Time) { g_replies++; }

[[noreturn]] void Usage() {
    std::fprintf(stderr, "usage: sim-scale-ns3 --nodes N --topology pairs|switch [--duration S] [--interval-ms MS] "
                         "[--rate R] [--delay-us US] [--seed N] [--count PINGS]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    uint32_t n = 100;
    std::string topology = "pairs", rate = "1Gbps";
    double duration = 20, interval_ms = 50, delay_us = 100;
    uint32_t seed = 1, count = 0;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (i + 1 >= argc) Usage();
        std::string v = argv[++i];
        if (a == "--nodes") n = (uint32_t)std::strtoul(v.c_str(), nullptr, 10);
        else if (a == "--topology") topology = v;
        else if (a == "--duration") duration = std::strtod(v.c_str(), nullptr);
        else if (a == "--interval-ms") interval_ms = std::strtod(v.c_str(), nullptr);
        else if (a == "--rate") rate = v;
        else if (a == "--delay-us") delay_us = std::strtod(v.c_str(), nullptr);
        else if (a == "--seed") seed = (uint32_t)std::strtoul(v.c_str(), nullptr, 10);
        else if (a == "--count") count = (uint32_t)std::strtoul(v.c_str(), nullptr, 10);
        else Usage();
    }
    if (n < 2 || n % 2 || n > 60000 || (topology != "pairs" && topology != "switch")) Usage();
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(seed);
    GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));

    NodeContainer hosts;
    hosts.Create(n);
    seqs_sim::WireParams link;
    link.rate = DataRate(rate);
    link.delay = MicroSeconds((int64_t)delay_us);
    auto install = [&](Ptr<Node> a, Ptr<Node> b) {
        auto ends = seqs_sim::WireDevice::Connect(a, b, link);
        NetDeviceContainer d;
        d.Add(ends.first);
        d.Add(ends.second);
        return d;
    };
    NetDeviceContainer hostdev;
    std::vector<NetDeviceContainer> pairdev;
    uint32_t half = n / 2;
    if (topology == "pairs") {
        for (uint32_t i = 0; i < half; i++) {
            NetDeviceContainer d = install(hosts.Get(i), hosts.Get(i + half));
            pairdev.push_back(d);
        }
        for (uint32_t i = 0; i < n; i++) {
            NetDeviceContainer& d = pairdev[i % half];
            hostdev.Add(d.Get(i < half ? 0 : 1));
        }
    } else {
        Ptr<Node> sw = CreateObject<Node>();
        NetDeviceContainer ports;
        for (uint32_t i = 0; i < n; i++) {
            NetDeviceContainer d = install(hosts.Get(i), sw);
            hostdev.Add(d.Get(0));
            ports.Add(d.Get(1));
            sw->RegisterProtocolHandler(MakeCallback(&CountRx), 0, d.Get(1), true);
        }
        BridgeHelper bridge;
        bridge.Install(sw, ports);
    }
    for (uint32_t i = 0; i < n; i++) hosts.Get(i)->RegisterProtocolHandler(MakeCallback(&CountRx), 0, hostdev.Get(i), true);

    InternetStackHelper internet;
    internet.Install(hosts);
    internet.AssignStreams(hosts, 0);
    Ipv4AddressHelper addr;
    // 198.18.0.0/15 (RFC 2544 benchmarking), as in the seqs runs of bench/sim_scale.
    addr.SetBase("198.18.0.0", "255.254.0.0", "0.0.0.1");
    Ipv4InterfaceContainer ifs = addr.Assign(hostdev);

    Ptr<UniformRandomVariable> jitter = CreateObject<UniformRandomVariable>();
    jitter->SetStream(1000000);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t peer = i < half ? i + half : i - half;
        V4PingHelper ping(ifs.GetAddress(peer));
        ping.SetAttribute("Interval", TimeValue(MilliSeconds((uint64_t)interval_ms)));
        ping.SetAttribute("Size", UintegerValue(56));
        ApplicationContainer app = ping.Install(hosts.Get(i));
        Time start = MicroSeconds((int64_t)jitter->GetInteger(0, (uint32_t)(interval_ms * 1000)));
        app.Start(start);
        // --count: exactly that many requests (the last one interval/2 before the stop).
        Time interval = MicroSeconds((int64_t)(interval_ms * 1000));
        app.Stop(count ? start + interval * (int64_t)count - interval / 2 : Seconds(duration) - interval);
        app.Get(0)->TraceConnectWithoutContext("Rtt", MakeCallback(&CountRtt));
    }

    auto t0 = std::chrono::steady_clock::now();
    Simulator::Stop(Seconds(duration));
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Peak resident set of this program (VmHWM: reset by exec, unlike ru_maxrss, which keeps
    // the parent's size at fork).
    long hwm = -1;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (std::strncmp(line, "VmHWM:", 6) == 0) hwm = std::atol(line + 6);
        std::fclose(f);
    }
    // Host stack frames: on "pairs" every frame a host sends arrives at its peer host
    // (lossless), so in + out = 2 x host deliveries; on "switch" the frames a host sends
    // are the ones its switch port received, counted above as well.
    uint64_t frames = topology == "pairs" ? 2 * g_frames : 0;
    if (topology == "switch") frames = g_frames;
    std::printf("{\"stack\": \"ns-3\", \"nodes\": %u, \"topology\": \"%s\", \"duration_s\": %g, \"wall_s\": %.6f, "
                "\"host_frames\": %llu, \"ping_replies\": %llu, \"vmhwm_kb\": %ld}\n",
                n, topology.c_str(), duration, wall, (unsigned long long)frames, (unsigned long long)g_replies,
                hwm);
    Simulator::Destroy();
    return 0;
}

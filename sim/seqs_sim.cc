/* SPDX-License-Identifier: BSD-3-Clause */
// sim/seqs_sim.cc — seqs-sim: runs a declarative scenario (TOML) of seqs stacks on ns-3.
//
//   seqs-sim SCENARIO.toml [--out summary.json] [--pcap-dir DIR] [--seed N] [--quiet]
//
// Builds the nodes, links (a WireDevice at each end, sim/wire.h: rate, delay, a drop-tail
// queue and a RateErrorModel or an explicit ReceiveListErrorModel drop list) and topology
// (point-to-point pairs, or every host on its own link to one BridgeNetDevice
// switch), starts the apps, runs for the scenario's duration, writes a JSON
// summary (per-node counters, per-app results, aggregate metrics, expectation
// verdicts) and exits 0 when every expectation holds, 1 when one fails, 2 on a
// usage or scenario error. The format is described in scenarios/README.md.
#include <cctype>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <toml++/toml.h>

#include "ns3/animation-interface.h"
#include "ns3/boolean.h"
#include "ns3/node-list.h"
#include "ns3/bridge-helper.h"
#include "ns3/csma-helper.h"
#include "ns3/csma-net-device.h"
#include "ns3/queue-size.h"
#include "ns3/global-value.h"
#include "ns3/bulk-send-helper.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/packet-sink-helper.h"
#include "ns3/packet-sink.h"
#include "ns3/ipv4-interface-address.h"
#include "ns3/ipv4.h"
#include "ns3/string.h"
#include "ns3/tap-bridge-helper.h"
#include "ns3/uinteger.h"
#include "ns3/data-rate.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/error-model.h"
#include "ns3/node-container.h"
#include "ns3/pointer.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simple-net-device-helper.h"
#include "ns3/simple-net-device.h"
#include "ns3/tag.h"
#include "ns3/simulator.h"

#include "app_registry.h"
#include "scenario.h"
#include "seqs_ns3.h"
#include "series.h"

using namespace ns3;
using seqs_sim::QueueDrops;
using seqs_sim::StackNode;
using seqs_sim::WireDevice;
using seqs_sim::WireParams;
using json = nlohmann::json;

namespace {

using seqs_sim::CheckKeys;
using seqs_sim::Fail;
using seqs_sim::Int;
using seqs_sim::IntIn;
using seqs_sim::Num;
using seqs_sim::ParseIp;
using seqs_sim::ParseTime;
using seqs_sim::ScenarioError;
using seqs_sim::Str;
using seqs_sim::TimeKey;

struct LinkParams {
    DataRate rate = DataRate("100Mbps");
    uint32_t queue = 100;   // packets in each device's transmit queue (ns-3's default)
    Time delay = MilliSeconds(1);
    double loss = 0.0;   // per direction: probability a frame is dropped by the receiving device
    // With a burst range, `loss` is the probability that a loss burst starts at a frame, and
    // a burst drops U{min..max} consecutive frames (ns-3 BurstErrorModel).
    uint32_t burst_min = 0, burst_max = 0;
    // With a burst time range, a burst drops every frame for U[min, max] of simulated time.
    Time burst_time_min, burst_time_max;
};

// Loss in bursts of *time* (a fade, a collision storm): at each frame outside a burst, a
// burst starts with probability `rate` and drops every frame that arrives until it ends,
// U[min, max] later. Unlike ns-3's BurstErrorModel (bursts counted in frames), a burst does
// not reach across an idle link into frames sent seconds later.
class TimeBurstErrorModel : public ErrorModel {
  public:
    static TypeId GetTypeId() {
        static TypeId tid =
            TypeId("seqs::TimeBurstErrorModel").SetParent<ErrorModel>().SetGroupName("seqs").AddConstructor<TimeBurstErrorModel>();
        return tid;
    }
    void Configure(double rate, Time min, Time max, int64_t stream) {
        rate_ = rate;
        min_ = min;
        max_ = max;
        start_->SetStream(stream);
        len_->SetStream(stream + 1);
    }

  private:
    bool DoCorrupt(Ptr<Packet>) override {
        Time now = Simulator::Now();
        if (now < end_) return true;
        if (start_->GetValue() >= rate_) return false;
        end_ = now + NanoSeconds((int64_t)len_->GetValue((double)min_.GetNanoSeconds(), (double)max_.GetNanoSeconds()));
        return true;
    }
    void DoReset() override { end_ = Seconds(0); }

    double rate_ = 0;
    Time min_, max_, end_;
    Ptr<UniformRandomVariable> start_ = CreateObject<UniformRandomVariable>();
    Ptr<UniformRandomVariable> len_ = CreateObject<UniformRandomVariable>();
};

LinkParams ReadLinkParams(const toml::table& t, LinkParams base, const std::string& where) {
    if (t["rate"]) base.rate = seqs_sim::RateKey(t, "rate", "", where);
    if (t["delay"]) base.delay = TimeKey(t, "delay", "", where);
    base.queue = (uint32_t)IntIn(t, "queue", base.queue, 1, 1000000, where);
    base.loss = Num(t, "loss", base.loss, where);
    if (base.loss < 0 || base.loss >= 1) Fail(seqs_sim::KeyAt(t, "loss", where) + ": loss must be in [0, 1)");
    if (auto* b = t["burst"].as_array()) {
        auto lo = b->size() == 2 ? (*b)[0].value<int64_t>() : std::nullopt;
        auto hi = b->size() == 2 ? (*b)[1].value<int64_t>() : std::nullopt;
        if (!lo || !hi || *lo < 1 || *hi < *lo || *hi > 1000)
            Fail(seqs_sim::KeyAt(t, "burst", where) + ": must be [min, max] frames, 1 <= min <= max <= 1000");
        base.burst_min = (uint32_t)*lo;
        base.burst_max = (uint32_t)*hi;
    } else if (t["burst"]) {
        Fail(seqs_sim::KeyAt(t, "burst", where) + ": must be [min, max]");
    }
    if (auto* b = t["burst_time"].as_array()) {
        auto lo = b->size() == 2 ? (*b)[0].value<std::string>() : std::nullopt;
        auto hi = b->size() == 2 ? (*b)[1].value<std::string>() : std::nullopt;
        if (!lo || !hi) Fail(seqs_sim::KeyAt(t, "burst_time", where) + ": must be [\"min\", \"max\"], e.g. [\"2ms\", \"10ms\"]");
        base.burst_time_min = ParseTime(*lo, seqs_sim::KeyAt(t, "burst_time", where));
        base.burst_time_max = ParseTime(*hi, seqs_sim::KeyAt(t, "burst_time", where));
        if (base.burst_time_min.IsZero() || base.burst_time_max < base.burst_time_min)
            Fail(seqs_sim::KeyAt(t, "burst_time", where) + ": needs 0 < min <= max");
    } else if (t["burst_time"]) {
        Fail(seqs_sim::KeyAt(t, "burst_time", where) + ": must be [\"min\", \"max\"]");
    }
    if (base.burst_max && base.burst_time_max.IsStrictlyPositive())
        Fail(where + ": use burst (frames) or burst_time, not both");
    return base;
}

std::list<uint32_t> ReadDropList(const toml::table& t, const char* key, const std::string& where) {
    std::list<uint32_t> out;
    auto n = t[key];
    if (!n) return out;
    auto* arr = n.as_array();
    if (!arr) Fail(where + ": '" + key + "' must be an array of frame indices");
    for (auto& el : *arr) {
        auto v = el.value<int64_t>();
        if (!v || *v < 0) Fail(where + ": '" + key + "' entries must be non-negative integers");
        out.push_back((uint32_t)*v);
    }
    return out;
}

// Counts frames per link: drops by the error models, and frames that made it.
struct LinkCounters {
    uint64_t dropped = 0;
    uint64_t delivered = 0;
};

bool IsBroadcastMac(const uint8_t* m) {
    return m[0] == 0xff && m[1] == 0xff && m[2] == 0xff && m[3] == 0xff && m[4] == 0xff && m[5] == 0xff;
}

// --link simple: ns-3's SimpleNetDevice, the reference WireDevice reproduces. Its queue's drops
// carry the addresses in SimpleNetDevice's private "ns3::SimpleTag" (source MAC, destination
// MAC, protocol), read here to count broadcast drops.
class SimpleTagView : public Tag {
  public:
    static TypeId Tid() {
        static TypeId tid = TypeId::LookupByName("ns3::SimpleTag");
        return tid;
    }
    TypeId GetInstanceTypeId() const override { return Tid(); }
    uint32_t GetSerializedSize() const override { return 14; }
    void Serialize(TagBuffer) const override {}
    void Deserialize(TagBuffer i) override {
        i.Read(src, 6);
        i.Read(dst, 6);
    }
    void Print(std::ostream&) const override {}
    uint8_t src[6] = {0}, dst[6] = {0};
};

void CountSimpleQueueDrop(QueueDrops* q, Ptr<const Packet> p) {
    q->total++;
    PacketTagIterator it = p->GetPacketTagIterator();
    while (it.HasNext()) {
        PacketTagIterator::Item item = it.Next();
        if (item.GetTypeId() != SimpleTagView::Tid()) continue;
        SimpleTagView v;
        item.GetTag(v);
        if (IsBroadcastMac(v.dst)) q->broadcast++;
        return;
    }
}

// A CSMA port's queue drops (DropTailQueue "Drop"; the frame starts with its Ethernet header).
void CountCsmaQueueDrop(QueueDrops* q, Ptr<const Packet> p) {
    q->total++;
    uint8_t dst[6];
    if (p->GetSize() >= 14 && p->CopyData(dst, 6) == 6 && IsBroadcastMac(dst)) q->broadcast++;
}

void CountDrop(uint64_t* c, Ptr<const Packet>) { (*c)++; }

struct DeliveryCounter {
    uint64_t* c;
    void Rx(Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&, const Address&, NetDevice::PacketType) {
        (*c)++;
    }
};

struct NodeSpec {
    std::string name;
    uint32_t addr = 0;
    uint8_t prefix = 24;
    uint32_t gateway = 0;
    bool gratuitous = true;
    uint16_t mtu = 0;
};

// The scenario asks for a stack profile this executable was not built with.
struct OtherProfile {
    std::string profile;
};

struct Expect {
    std::string metric;
    std::optional<double> min, max;
    std::string why;
};

struct Args {
    std::string scenario, out, pcap_dir;
    std::optional<uint64_t> seed;
    bool quiet = false;
    bool progress = true;
    std::string pcapng, netanim, plot_dir;
    bool huge_pages = true;               // --no-huge-pages
    std::string scheduler = "prefetch";   // --scheduler: prefetch (ours), map, heap, list, calendar (ns-3's)
    std::string link = "wire";            // --link: wire (ours, sim/wire.h) or simple (ns-3's SimpleNetDevice)
};

// Progress of a long run on stderr: simulated time, events per wall second, ETA. Silent for
// the first 2 wall seconds (short runs print nothing); then a line every 5 s (every 0.5 s,
// rewritten in place, on a terminal). Its events only read clocks: they change no state, so
// a run with or without them gives the same frames.
class Progress {
  public:
    void Start(Time duration) {
        duration_ = duration;
        step_ = std::max(duration / 2000, MicroSeconds(100));
        tty_ = isatty(2);
        every_ = tty_ ? 0.5 : 5.0;
        // SEQS_SIM_PROGRESS="AFTER,EVERY" (wall seconds) overrides both (for tests).
        if (const char* e = std::getenv("SEQS_SIM_PROGRESS")) std::sscanf(e, "%lf,%lf", &after_, &every_);
        start_ = last_ = std::chrono::steady_clock::now();
        Simulator::Schedule(step_, &Progress::Tick, this);
    }
    void Finish() {
        if (!printed_) return;
        double wall = Since(start_);
        std::fprintf(stderr, "%sseqs-sim: %.1f s simulated in %.1f s wall, %.2fM events/s\n", tty_ ? "\r\033[K" : "",
                     duration_.GetSeconds(), wall, (double)Simulator::GetEventCount() / wall / 1e6);
    }

  private:
    static double Since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }
    void Tick() {
        double wall = Since(start_);
        if (wall >= after_ && Since(last_) >= every_) {
            double sim = Simulator::Now().GetSeconds(), dt = Since(last_);
            uint64_t ev = Simulator::GetEventCount();
            double sim_rate = (sim - last_sim_) / dt;   // simulated s per wall s, recently
            double eta = sim_rate > 0 ? (duration_.GetSeconds() - sim) / sim_rate : 0;
            std::fprintf(stderr, "%sseqs-sim: %.2f / %.2f s simulated (%.0f %%), %.2fM events/s, ETA %.0f s%s",
                         tty_ ? "\r\033[K" : "", sim, duration_.GetSeconds(), 100 * sim / duration_.GetSeconds(),
                         (double)(ev - last_events_) / dt / 1e6, eta, tty_ ? "" : "\n");
            std::fflush(stderr);
            printed_ = true;
            last_ = std::chrono::steady_clock::now();
            last_events_ = ev;
            last_sim_ = sim;
        }
        Simulator::Schedule(step_, &Progress::Tick, this);
    }
    Time duration_, step_;
    double after_ = 2.0, every_ = 5.0;
    bool tty_ = false, printed_ = false;
    std::chrono::steady_clock::time_point start_, last_;
    uint64_t last_events_ = 0;
    double last_sim_ = 0;
};

void Usage() {
    std::cerr << "usage: seqs-sim SCENARIO.toml [--out summary.json] [--pcap-dir DIR | --pcapng FILE] [--seed N]\n"
                 "                [--quiet] [--no-progress] [--netanim FILE.xml] [--plot DIR]\n"
                 "                [--scheduler prefetch|map|heap|list|calendar] [--link wire|simple]\n"
                 "                [--no-huge-pages]\n";
}

std::vector<size_t> Runner_ResolveOn(const toml::table& t, const std::map<std::string, size_t>& index, size_t n,
                                     const std::string& where);

// The number after `key` (e.g. "VmHWM:") on its line of a /proc file, in KB; -1 when absent.
long ProcKb(const char* path, const std::string& key) {
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + key.size());
    return -1;
}

// VmHWM of this process (peak resident set, KB), -1 when unknown.
long PeakRssKb() { return ProcKb("/proc/self/status", "VmHWM:"); }

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25   // Linux 6.1; older headers lack it
#endif

// KB of this process on transparent huge pages, -1 when unknown.
long AnonHugeKb() { return ProcKb("/proc/self/smaps_rollup", "AnonHugePages:"); }

// Asks the kernel to back this process's heap with 2 MB pages (transparent huge pages:
// MADV_HUGEPAGE, then MADV_COLLAPSE for what is already there). At 10,000 nodes the run's
// working set is a few hundred MB of small objects, and with 4 KB pages nearly every
// visit to a node also misses the TLB. Only a hint: where the kernel refuses (THP off,
// an older kernel), nothing changes.
void UseHugePages() {
    std::ifstream f("/proc/self/maps");
    std::string line;
    const uintptr_t huge = 2u << 20;
    while (std::getline(f, line)) {
        // "start-end perms offset dev inode [path]": private writable anonymous memory or the heap
        std::istringstream is(line);
        std::string range, perms, off, dev, inode, path;
        is >> range >> perms >> off >> dev >> inode;
        std::getline(is, path);
        path.erase(0, path.find_first_not_of(' '));
        if (perms != "rw-p" || inode != "0" || !(path.empty() || path == "[heap]")) continue;
        uintptr_t a = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
        uintptr_t b = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
        uintptr_t lo = (a + huge - 1) & ~(huge - 1), hi = b & ~(huge - 1);
        if (path.empty() && hi <= lo) continue;
        madvise((void*)a, b - a, MADV_HUGEPAGE);   // also what the heap grows into later
        if (hi > lo) madvise((void*)lo, hi - lo, MADV_COLLAPSE);
    }
}

class Runner : public seqs_sim::ScenarioContext {
  public:
    explicit Runner(const Args& a) : args_(a) {}
    int Run();

    // seqs_sim::ScenarioContext (for the app factories, sim/app_*.cc)
    size_t NodeCount() const override { return specs_.size(); }
    const std::string& NodeName(size_t i) const override { return specs_.at(i).name; }
    uint32_t NodeAddr(size_t i) const override { return specs_.at(i).addr; }
    uint8_t NodePrefix(size_t i) const override { return specs_.at(i).prefix; }
    StackNode& StackAt(size_t i) override { return *nodes_.at(i); }
    std::vector<seqs_sim::PingTarget> Targets(size_t i, const toml::array& targets, const std::string& where) override;
    void DueBy(Time t) override { last_due_ = std::max(last_due_, t); }

  private:
    void Load();
    void Build();
    void AddApps();
    // The summary without "nodes"; each node's JSON goes to *nodes_text as it is made (a tree of
    // 10,000 nodes' counters would take more memory than the simulation).
    json Collect(double wall_s, std::string* nodes_text);
    uint64_t QueueDropsOf(size_t i) const { return queue_own_[i].total + queue_toward_[i].total; }
    std::unique_ptr<AnimationInterface> SetUpNetAnim(seqs_sim::Series* series);
    void WritePlots(const seqs_sim::Series& series);

    Args args_;
    toml::table tbl_;
    std::string name_;
    uint64_t seed_ = 1;
    Time duration_;
    std::vector<NodeSpec> specs_;
    std::map<std::string, size_t> index_;
    std::vector<std::unique_ptr<StackNode>> nodes_;
    NodeContainer ns3nodes_;
    LinkCounters links_;
    std::vector<std::unique_ptr<DeliveryCounter>> delivery_;
    // Queue drops per node: in its own device's queue, and in the queue of the device that
    // sends toward it (its switch port; on "pairs" that is the peer's own queue). Other
    // queues (router uplinks): queue_other_.
    std::vector<QueueDrops> queue_own_, queue_toward_;
    QueueDrops queue_other_;
    std::set<uint32_t> switches_;   // ns-3 node ids of the learning switches
    std::unique_ptr<seqs_sim::PcapngWriter> pcapng_;
    std::vector<Expect> expects_;
    Ptr<UniformRandomVariable> runner_rng_;
    int64_t next_stream_ = 1000000;   // streams for error models; nodes use 0..N-1
    std::string topology_;
    Time last_due_ = Seconds(0);       // latest time an app result is due
    std::vector<Ptr<PacketSink>> ns3_sinks_;   // ns-3 TCP apps on the router
    uint64_t ns3_bulk_tx_ = 0;
    size_t ns3_bulks_ = 0;
};

void CountTx(uint64_t* c, Ptr<const Packet> p) { *c += p->GetSize(); }

void Runner::Load() {
    try {
        tbl_ = toml::parse_file(args_.scenario);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << args_.scenario << ": " << e.description() << " at line " << e.source().begin.line;
        Fail(os.str());
    }
    CheckKeys(tbl_, {"name", "description", "duration", "seed", "topology", "link", "pair", "subnet", "node", "app",
                     "router_app", "expect", "stack"},
              "scenario");
    if (const toml::node* st = tbl_.get("stack")) {
        if (!st->as_table()) Fail("stack" + seqs_sim::LineOf(*st) + ": must be a table");
        CheckKeys(*st->as_table(), {"profile"}, "stack");
        std::string profile = Str(*st->as_table(), "profile", SEQS_SIM_PROFILE, "stack");
        if (profile != "compact" && profile != "default")
            Fail(seqs_sim::KeyAt(*st->as_table(), "profile", "stack") + ": '" + profile +
                 "' is not a stack profile (compact, default)");
        if (profile != SEQS_SIM_PROFILE) throw OtherProfile{profile};
    }
    name_ = Str(tbl_, "name", "scenario", "scenario");
    duration_ = TimeKey(tbl_, "duration", "10s", "scenario");
    seed_ = (uint64_t)Int(tbl_, "seed", 1, "scenario");
    if (args_.seed) seed_ = *args_.seed;

    auto* nodes = tbl_["node"].as_array();
    if (!nodes || nodes->empty()) Fail("scenario: needs at least one [[node]]");
    std::map<uint32_t, std::string> addr_owner;   // every address once
    for (size_t k = 0; k < nodes->size(); k++) {
        auto* t = (*nodes)[k].as_table();
        std::string where = "node[" + std::to_string(k) + "]";
        if (!t) Fail(where + seqs_sim::LineOf((*nodes)[k]) + ": must be a table");
        CheckKeys(*t, {"name", "ip", "gateway", "count", "gratuitous", "mtu"}, where);
        std::string name = Str(*t, "name", "", where);
        if (name.empty()) Fail(where + seqs_sim::LineOf(*t) + ": needs a name");
        int64_t count = IntIn(*t, "count", 1, 1, 60000, where);
        std::string ip = Str(*t, "ip", "", where);
        uint32_t addr = 0;
        uint8_t prefix = 24;
        uint32_t gateway = 0;
        if (!ip.empty()) {
            std::string at = seqs_sim::KeyAt(*t, "ip", where);
            size_t slash = ip.find('/');
            if (slash != std::string::npos) {
                std::string ps = ip.substr(slash + 1);
                if (ps.empty() || ps.size() > 2 || !std::all_of(ps.begin(), ps.end(), ::isdigit) ||
                    std::stoi(ps) < 1 || std::stoi(ps) > 32)
                    Fail(at + ": bad prefix length in '" + ip + "' (1..32)");
                prefix = (uint8_t)std::stoi(ps);
                ip = ip.substr(0, slash);
            }
            addr = ParseIp(ip, at);
            // The address plan must fit its prefix: checked here, before anything runs.
            uint32_t mask = prefix == 32 ? 0xFFFFFFFFu : ~((1u << (32 - prefix)) - 1u);
            uint32_t net = addr & mask, bcast = net | ~mask;
            uint32_t first = net, last = bcast;
            if (prefix <= 30) {   // RFC 3021 /31 and /32 have no network/broadcast address
                first = net + 1;
                last = bcast - 1;
            }
            std::string plan = seqs_sim::Ip4(net) + "/" + std::to_string(prefix);
            if (addr < first || addr > last)
                Fail(at + ": " + seqs_sim::Ip4(addr) + " is the network or broadcast address of " + plan);
            if ((uint64_t)addr + (uint64_t)count - 1 > last)
                Fail(at + ": " + std::to_string(count) + " addresses from " + seqs_sim::Ip4(addr) + " do not fit " +
                     plan + " (its last host address is " + seqs_sim::Ip4(last) + ": at most " +
                     std::to_string((uint64_t)last - addr + 1) + " nodes from this address; use a shorter prefix)");
            uint8_t o1 = (uint8_t)(addr >> 24);
            if (o1 == 0 || o1 == 127 || o1 >= 224)
                Fail(at + ": " + seqs_sim::Ip4(addr) + " is not a unicast host address (0/8, 127/8, 224/3)");
            std::string gw = Str(*t, "gateway", "", where);
            if (!gw.empty()) {
                std::string gat = seqs_sim::KeyAt(*t, "gateway", where);
                gateway = ParseIp(gw, gat);
                if ((gateway & mask) != net || gateway < first || gateway > last)
                    Fail(gat + ": gateway " + gw + " is not a host address in " + plan);
            }
        } else if (t->get("gateway")) {
            Fail(seqs_sim::KeyAt(*t, "gateway", where) + ": a gateway needs an 'ip'");
        }
        bool gratuitous = seqs_sim::Bool(*t, "gratuitous", true, where);
        int64_t mtu = Int(*t, "mtu", 0, where);
        if (mtu && (mtu < SEQS_MIN_MTU || mtu > SEQS_MAX_MTU))
            Fail(seqs_sim::KeyAt(*t, "mtu", where) + ": " + std::to_string(mtu) + " is outside " +
                 std::to_string(SEQS_MIN_MTU) + ".." + std::to_string(SEQS_MAX_MTU) + " (this stack profile)");
        if (count > 1 && name.find("{}") == std::string::npos)
            Fail(seqs_sim::KeyAt(*t, "name", where) + ": a name with count > 1 needs a '{}' placeholder (e.g. \"h{}\")");
        for (int64_t i = 0; i < count; i++) {
            NodeSpec s;
            s.name = name;
            size_t pos = s.name.find("{}");
            if (pos != std::string::npos) s.name.replace(pos, 2, std::to_string(i + 1));
            s.addr = addr ? addr + (uint32_t)i : 0;
            s.prefix = prefix;
            s.gateway = gateway;
            s.gratuitous = gratuitous;
            s.mtu = (uint16_t)mtu;
            if (index_.count(s.name)) Fail(where + seqs_sim::LineOf(*t) + ": duplicate node name '" + s.name + "'");
            if (s.addr) {
                auto [it, fresh] = addr_owner.emplace(s.addr, s.name);
                if (!fresh)
                    Fail(seqs_sim::KeyAt(*t, "ip", where) + ": node '" + s.name + "' would get " + seqs_sim::Ip4(s.addr) +
                         ", already the address of '" + it->second + "'");
            }
            index_[s.name] = specs_.size();
            specs_.push_back(s);
        }
    }
    if (specs_.size() > 60000) Fail("scenario: " + std::to_string(specs_.size()) + " nodes; at most 60000");

    if (auto* ex = tbl_["expect"].as_array()) {
        for (size_t k = 0; k < ex->size(); k++) {
            auto* t = (*ex)[k].as_table();
            std::string where = "expect[" + std::to_string(k) + "]";
            if (!t) Fail(where + ": must be a table");
            CheckKeys(*t, {"metric", "min", "max", "equals", "why"}, where);
            Expect e;
            e.metric = Str(*t, "metric", "", where);
            if (e.metric.empty()) Fail(where + ": needs a metric");
            if ((*t)["min"]) e.min = Num(*t, "min", 0, where);
            if ((*t)["max"]) e.max = Num(*t, "max", 0, where);
            if ((*t)["equals"]) e.min = e.max = Num(*t, "equals", 0, where);
            if (!e.min && !e.max) Fail(where + ": needs min, max or equals");
            e.why = Str(*t, "why", "", where);
            expects_.push_back(e);
        }
    }
}

void Runner::Build() {
    const toml::table* t0 = tbl_["topology"].as_table();
    if (t0 && (*t0)["kind"].value_or(std::string()) == "tap") {
        // Frames from Linux arrive in wall-clock time: run the simulator in real time.
        GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::RealtimeSimulatorImpl"));
    }
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(seed_);
    runner_rng_ = CreateObject<UniformRandomVariable>();
    runner_rng_->SetStream(999999);

    ns3nodes_.Create((uint32_t)specs_.size());

    const toml::table empty;
    const toml::table* topo = tbl_["topology"].as_table();
    if (!topo) topo = &empty;
    CheckKeys(*topo, {"kind", "device"}, "topology");
    topology_ = Str(*topo, "kind", "pairs", "topology");
    if (tbl_["router_app"] && topology_ != "router") Fail("router_app needs topology \"router\"");
    const toml::table* ld = tbl_["link"].as_table();
    LinkParams defaults = ld ? ReadLinkParams(*ld, LinkParams(), "link") : LinkParams();
    if (ld) CheckKeys(*ld, {"rate", "delay", "loss", "burst", "burst_time", "queue"}, "link");

    std::vector<Ptr<NetDevice>> hostdev(specs_.size());
    auto make_em = [&](const LinkParams& lp, const std::list<uint32_t>& drops) -> Ptr<ErrorModel> {
        double loss = lp.loss;
        if (!drops.empty()) {
            auto em = CreateObject<ReceiveListErrorModel>();
            em->SetList(drops);   // deterministic: no random stream
            return em;
        }
        if (loss <= 0) return nullptr;
        if (lp.burst_time_max.IsStrictlyPositive()) {
            auto em = CreateObject<TimeBurstErrorModel>();
            em->Configure(loss, lp.burst_time_min, lp.burst_time_max, next_stream_);
            next_stream_ += 2;
            return em;
        }
        if (lp.burst_max) {
            auto em = CreateObject<BurstErrorModel>();
            em->SetBurstRate(loss);
            auto size = CreateObject<UniformRandomVariable>();
            size->SetAttribute("Min", DoubleValue(lp.burst_min));
            size->SetAttribute("Max", DoubleValue(lp.burst_max));   // GetInteger(): U{min..max}, inclusive
            em->SetRandomBurstSize(size);
            next_stream_ += em->AssignStreams(next_stream_);
            return em;
        }
        auto em = CreateObject<RateErrorModel>();
        em->SetAttribute("ErrorRate", DoubleValue(loss));
        em->SetAttribute("ErrorUnit", EnumValue(RateErrorModel::ERROR_UNIT_PACKET));
        em->AssignStreams(next_stream_++);
        return em;
    };
    // Every device counts the frames it delivers. A switch gets one handler for all its ports
    // (registered with device 0; its BridgeNetDevice puts every port in promiscuous mode): a
    // handler per port would make every frame arriving at the switch scan one more handler
    // per port in Node::ReceiveFromDevice.
    std::set<uint32_t> counted_switches;
    auto count_deliveries = [&](Ptr<NetDevice> dev) {
        Ptr<Node> node = dev->GetNode();
        bool is_host = node->GetId() < specs_.size();
        bool is_switch = !is_host && node->GetNDevices() > 0 && switches_.count(node->GetId());
        if (is_host) return;   // a host's device hands every frame to its StackNode: counted there
        if (is_switch && !counted_switches.insert(node->GetId()).second) return;
        auto dc = std::make_unique<DeliveryCounter>();
        dc->c = &links_.delivered;
        node->RegisterProtocolHandler(MakeCallback(&DeliveryCounter::Rx, dc.get()), 0, is_switch ? nullptr : dev, true);
        delivery_.push_back(std::move(dc));
    };
    queue_own_.assign(specs_.size(), QueueDrops());
    queue_toward_.assign(specs_.size(), QueueDrops());
    // Links: a is host `host` (or SIZE_MAX), b is its peer host `peer` or a switch port.
    auto make_link = [&](Ptr<Node> a, Ptr<Node> b, const LinkParams& lp, const std::list<uint32_t>& drop_a,
                         const std::list<uint32_t>& drop_b, size_t host, size_t peer) {
        // Queue drops: side a is the host's own queue (the stack's frames; the send also
        // returns false then); side b sends toward the host (a peer host's own queue, or a
        // switch port's, whose failed SendFrom a BridgeNetDevice ignores: without this
        // count the copies would vanish).
        auto drops_of = [&](uint32_t i) {
            return i == 0 ? &queue_own_[host] : peer != SIZE_MAX ? &queue_own_[peer] : &queue_toward_[host];
        };
        NetDeviceContainer d;
        if (args_.link == "simple") {
            SimpleNetDeviceHelper h;
            h.DisableFlowControl();
            h.SetDeviceAttribute("DataRate", DataRateValue(lp.rate));
            h.SetChannelAttribute("Delay", TimeValue(lp.delay));
            h.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                       QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, lp.queue)));
            d = h.Install(NodeContainer(a, b));
        } else {
            WireParams wp;
            wp.rate = lp.rate;
            wp.delay = lp.delay;
            wp.queue = lp.queue;
            auto ends = WireDevice::Connect(a, b, wp);
            d.Add(ends.first);
            d.Add(ends.second);
        }
        for (uint32_t i = 0; i < 2; i++) {
            Ptr<ErrorModel> em = make_em(lp, i == 0 ? drop_a : drop_b);
            if (auto w = DynamicCast<WireDevice>(d.Get(i))) {
                if (em) w->SetReceiveErrorModel(em);
                w->CountDropsInto(&links_.dropped, drops_of(i));
            } else {
                auto sd = DynamicCast<SimpleNetDevice>(d.Get(i));
                if (em) sd->SetReceiveErrorModel(em);
                sd->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&CountDrop, &links_.dropped));
                sd->GetQueue()->TraceConnectWithoutContext("Drop", MakeBoundCallback(&CountSimpleQueueDrop, drops_of(i)));
            }
            count_deliveries(d.Get(i));
        }
        return d;
    };

    if (topology_ == "pairs") {
        auto* pairs = tbl_["pair"].as_array();
        if (!pairs || pairs->empty()) Fail("topology \"pairs\" needs [[pair]] entries");
        for (size_t k = 0; k < pairs->size(); k++) {
            auto* t = (*pairs)[k].as_table();
            std::string where = "pair[" + std::to_string(k) + "]";
            if (!t) Fail(where + ": must be a table");
            CheckKeys(*t, {"a", "b", "rate", "delay", "loss", "burst", "burst_time", "queue", "drop_at_a", "drop_at_b"},
                      where);
            std::string a = Str(*t, "a", "", where), b = Str(*t, "b", "", where);
            if (!index_.count(a) || !index_.count(b)) Fail(where + ": unknown node in '" + a + "'-'" + b + "'");
            size_t ia = index_[a], ib = index_[b];
            if (ia == ib) Fail(where + ": a node cannot link to itself");
            if (hostdev[ia] || hostdev[ib])
                Fail(where + ": each node has one interface (one stack), so it can be in one pair only");
            LinkParams lp = ReadLinkParams(*t, defaults, where);
            NetDeviceContainer d = make_link(ns3nodes_.Get((uint32_t)ia), ns3nodes_.Get((uint32_t)ib), lp,
                                             ReadDropList(*t, "drop_at_a", where), ReadDropList(*t, "drop_at_b", where),
                                             ia, ib);
            hostdev[ia] = d.Get(0);
            hostdev[ib] = d.Get(1);
        }
    } else if (topology_ == "switch") {
        Ptr<Node> sw = CreateObject<Node>();
        switches_.insert(sw->GetId());
        NetDeviceContainer ports;
        for (size_t i = 0; i < specs_.size(); i++) {
            NetDeviceContainer d = make_link(ns3nodes_.Get((uint32_t)i), sw, defaults, {}, {}, i, SIZE_MAX);
            hostdev[i] = d.Get(0);
            ports.Add(d.Get(1));
        }
        BridgeHelper bridge;
        bridge.Install(sw, ports);
    } else if (topology_ == "tap") {
        // Real Linux hosts: every node and a "ghost" node share one CSMA segment; a
        // TapBridge (UseBridge mode) on the ghost's device joins the segment to an
        // existing Linux tap device, which the caller has put in a Linux bridge.
        std::string tapdev = Str(*topo, "device", "", "topology");
        if (tapdev.empty()) Fail("topology \"tap\" needs device = \"<existing tap device>\"");
        if (defaults.loss > 0) Fail("topology \"tap\": link loss is not supported");
        if (defaults.delay > MicroSeconds(100))
            Fail("topology \"tap\": the CSMA delay must be <= 100us (CSMA is busy for the whole delay)");
        Ptr<Node> ghost = CreateObject<Node>();
        NodeContainer seg;
        for (size_t i = 0; i < specs_.size(); i++) seg.Add(ns3nodes_.Get((uint32_t)i));
        seg.Add(ghost);
        CsmaHelper csma;
        csma.SetChannelAttribute("DataRate", DataRateValue(defaults.rate));
        csma.SetChannelAttribute("Delay", TimeValue(defaults.delay));
        csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                      QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, defaults.queue)));
        NetDeviceContainer d = csma.Install(seg);
        for (size_t i = 0; i < specs_.size(); i++) {
            hostdev[i] = d.Get((uint32_t)i);
            count_deliveries(d.Get((uint32_t)i));
            DynamicCast<CsmaNetDevice>(d.Get((uint32_t)i))
                ->GetQueue()
                ->TraceConnectWithoutContext("Drop", MakeBoundCallback(&CountCsmaQueueDrop, &queue_own_[i]));
        }
        TapBridgeHelper tb;
        tb.SetAttribute("Mode", StringValue("UseBridge"));
        tb.SetAttribute("DeviceName", StringValue(tapdev));
        tb.Install(ghost, d.Get((uint32_t)specs_.size()));
    } else if (topology_ == "router") {
        // Subnets joined by an IPv4 router that is *ns-3's own* Internet stack (an
        // independent implementation of ARP, IPv4 forwarding and ICMP echo): each subnet
        // is a learning switch with every host on its own link, plus a CSMA uplink (CSMA,
        // because ns-3's IPv4 only ARPs on devices that need it) to the router.
        GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));   // ns-3 sends zero checksums otherwise
        auto* subnets = tbl_["subnet"].as_array();
        if (!subnets || subnets->empty()) Fail("topology \"router\" needs [[subnet]] entries");
        if (defaults.delay > MicroSeconds(100))
            Fail("topology \"router\": the link delay must be <= 100us (router uplinks are CSMA)");
        Ptr<Node> router = CreateObject<Node>();
        InternetStackHelper internet;
        internet.Install(router);
        next_stream_ += internet.AssignStreams(NodeContainer(router), next_stream_);
        Ptr<Ipv4> ipv4 = router->GetObject<Ipv4>();
        std::vector<bool> placed(specs_.size(), false);
        for (size_t k = 0; k < subnets->size(); k++) {
            auto* t = (*subnets)[k].as_table();
            std::string where = "subnet[" + std::to_string(k) + "]";
            if (!t) Fail(where + ": must be a table");
            CheckKeys(*t, {"router", "prefix_len", "on"}, where);
            uint32_t rip = ParseIp(Str(*t, "router", "", where), where);
            int64_t plen = Int(*t, "prefix_len", 24, where);
            if (plen < 1 || plen > 30) Fail(where + ": prefix_len must be 1..30");
            uint32_t mask = plen == 32 ? 0xFFFFFFFFu : ~((1u << (32 - plen)) - 1u);
            std::vector<size_t> members = Runner_ResolveOn(*t, index_, specs_.size(), where);
            Ptr<Node> sw = CreateObject<Node>();
            switches_.insert(sw->GetId());
            NetDeviceContainer ports;
            for (size_t i : members) {
                if (placed[i]) Fail(where + ": node '" + specs_[i].name + "' is already in a subnet");
                placed[i] = true;
                if ((specs_[i].addr & mask) != (rip & mask) || specs_[i].prefix != plen)
                    Fail(where + ": node '" + specs_[i].name + "' is not in " + std::to_string(plen) +
                         "-bit subnet of the router");
                if (!specs_[i].gateway) specs_[i].gateway = rip;
                NetDeviceContainer d = make_link(ns3nodes_.Get((uint32_t)i), sw, defaults, {}, {}, i, SIZE_MAX);
                hostdev[i] = d.Get(0);
                ports.Add(d.Get(1));
            }
            CsmaHelper csma;
            csma.SetChannelAttribute("DataRate", DataRateValue(defaults.rate));
            csma.SetChannelAttribute("Delay", TimeValue(defaults.delay));
            csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                          QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, defaults.queue)));
            NetDeviceContainer up = csma.Install(NodeContainer(sw, router));
            for (uint32_t e = 0; e < 2; e++) {
                Ptr<ErrorModel> em = make_em(defaults, {});
                if (em) up.Get(e)->SetAttribute("ReceiveErrorModel", PointerValue(em));
                up.Get(e)->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&CountDrop, &links_.dropped));
                count_deliveries(up.Get(e));
                DynamicCast<CsmaNetDevice>(up.Get(e))->GetQueue()->TraceConnectWithoutContext(
                    "Drop", MakeBoundCallback(&CountCsmaQueueDrop, &queue_other_));
            }
            ports.Add(up.Get(0));
            BridgeHelper bridge;
            bridge.Install(sw, ports);
            int32_t ifi = ipv4->AddInterface(up.Get(1));
            ipv4->AddAddress(ifi, Ipv4InterfaceAddress(Ipv4Address(rip), Ipv4Mask(mask)));
            ipv4->SetUp(ifi);
        }
        for (size_t i = 0; i < specs_.size(); i++)
            if (!placed[i]) Fail("node '" + specs_[i].name + "' is in no [[subnet]]");
        // ns-3's own TCP on the router (an independent TCP implementation for seqs to talk to).
        if (auto* ra = tbl_["router_app"].as_array()) {
            for (size_t k = 0; k < ra->size(); k++) {
                auto* t = (*ra)[k].as_table();
                std::string where = "router_app[" + std::to_string(k) + "]";
                if (!t) Fail(where + ": must be a table");
                std::string type = Str(*t, "type", "", where);
                Time start = TimeKey(*t, "start", "0s", where);
                int64_t port = Int(*t, "port", 5001, where);
                if (port < 1 || port > 65535) Fail(where + ": bad port");
                if (type == "tcp-sink") {   // ns-3 PacketSink: accepts and counts
                    CheckKeys(*t, {"type", "start", "port"}, where);
                    PacketSinkHelper h("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), (uint16_t)port));
                    ApplicationContainer apps = h.Install(router);
                    apps.Start(start);
                    ns3_sinks_.push_back(DynamicCast<PacketSink>(apps.Get(0)));
                } else if (type == "tcp-bulk") {   // ns-3 BulkSendApplication: `bytes` of zeros, then close
                    CheckKeys(*t, {"type", "start", "port", "target", "bytes"}, where);
                    std::string target = Str(*t, "target", "", where);
                    if (!index_.count(target)) Fail(where + ": unknown target '" + target + "'");
                    int64_t bytes = Int(*t, "bytes", 100000, where);
                    if (bytes < 1) Fail(where + ": bytes must be positive");
                    BulkSendHelper h("ns3::TcpSocketFactory",
                                     InetSocketAddress(Ipv4Address(specs_[index_[target]].addr), (uint16_t)port));
                    h.SetAttribute("MaxBytes", UintegerValue((uint64_t)bytes));
                    ApplicationContainer apps = h.Install(router);
                    apps.Start(start);
                    apps.Get(0)->TraceConnectWithoutContext("Tx", MakeBoundCallback(&CountTx, &ns3_bulk_tx_));
                    ns3_bulks_++;
                } else {
                    Fail(where + ": unknown router_app type '" + type + "' (tcp-sink, tcp-bulk)");
                }
            }
        }
    } else {
        Fail("topology: kind must be \"pairs\", \"switch\", \"router\" or \"tap\"");
    }

    for (size_t i = 0; i < specs_.size(); i++) {
        if (!hostdev[i]) Fail("node '" + specs_[i].name + "' is on no link");
        seqs_sim::StackNodeConfig c;
        c.name = specs_[i].name;
        uint32_t id = (uint32_t)i + 1;
        const uint8_t mac[6] = {0x02, 0x53, 0x51, (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id};
        std::memcpy(c.mac, mac, 6);
        c.addr = specs_[i].addr;
        c.prefix_len = specs_[i].prefix;
        c.gateway = specs_[i].gateway;
        c.gratuitous = specs_[i].gratuitous;
        c.mtu = specs_[i].mtu;
        auto rng = CreateObject<UniformRandomVariable>();
        rng->SetStream((int64_t)i);
        auto n = std::make_unique<StackNode>(c, ns3nodes_.Get((uint32_t)i), hostdev[i], rng);
        if (!args_.pcap_dir.empty()) n->EnablePcap(args_.pcap_dir + "/" + c.name + ".pcap");
        if (pcapng_) n->EnablePcapng(pcapng_.get(), pcapng_->AddInterface(c.name));
        n->Boot();
        nodes_.push_back(std::move(n));
    }
}

std::vector<size_t> Runner_ResolveOn(const toml::table& t, const std::map<std::string, size_t>& index, size_t n,
                                     const std::string& where) {
    std::vector<size_t> out;
    auto on = t["on"];
    if (!on) Fail(where + ": needs 'on' (a node name, a list of names, or \"*\")");
    if (auto s = on.value<std::string>()) {
        if (*s == "*") {
            for (size_t i = 0; i < n; i++) out.push_back(i);
            return out;
        }
        if (s->size() > 1 && s->back() == '*') {   // "c*": every node whose name starts with "c"
            std::string prefix = s->substr(0, s->size() - 1);
            for (auto& [name, i] : index)
                if (name.rfind(prefix, 0) == 0) out.push_back(i);
            std::sort(out.begin(), out.end());
            if (out.empty()) Fail(where + ": no node matches '" + *s + "'");
            return out;
        }
        if (!index.count(*s)) Fail(where + ": unknown node '" + *s + "'");
        out.push_back(index.at(*s));
        return out;
    }
    auto* arr = on.as_array();
    if (!arr) Fail(where + ": 'on' must be a string or an array of strings");
    for (auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s || !index.count(*s)) Fail(where + ": unknown node in 'on'");
        out.push_back(index.at(*s));
    }
    return out;
}

// Resolves a `targets` list for node i: names, "+K" offsets, "random:K", IPv4 literals.
std::vector<seqs_sim::PingTarget> Runner::Targets(size_t i, const toml::array& targets, const std::string& where) {
        std::vector<size_t> idx;
        std::vector<seqs_sim::PingTarget> external;
        for (auto& el : targets) {
            auto ts = el.value<std::string>();
            if (!ts) Fail(where + ": targets are strings");
            if ((*ts)[0] == '+') {   // offset in the node list, wrapping around
                long off = std::atol(ts->c_str() + 1);
                if (off <= 0) Fail(where + ": bad target offset '" + *ts + "'");
                idx.push_back((i + (size_t)off) % specs_.size());
            } else if (ts->rfind("random:", 0) == 0) {   // K distinct other nodes, from the seed
                long kk = std::atol(ts->c_str() + 7);
                if (kk <= 0 || (size_t)kk >= specs_.size()) Fail(where + ": bad '" + *ts + "'");
                std::set<size_t> chosen;
                while (chosen.size() < (size_t)kk) {
                    size_t c = runner_rng_->GetInteger(0, (uint32_t)specs_.size() - 1);
                    if (c != i) chosen.insert(c);
                }
                idx.insert(idx.end(), chosen.begin(), chosen.end());
            } else if (std::isdigit((unsigned char)(*ts)[0])) {   // an address outside the scenario
                external.push_back({*ts, ParseIp(*ts, where)});
            } else {
                if (!index_.count(*ts)) Fail(where + ": unknown target '" + *ts + "'");
                idx.push_back(index_[*ts]);
            }
        }
        std::vector<seqs_sim::PingTarget> tg = external;
        for (size_t j : idx) {
            if (j == i) Fail(where + ": node '" + specs_[i].name + "' would target itself");
            if (!specs_[j].addr) Fail(where + ": target '" + specs_[j].name + "' has no address");
            tg.push_back({specs_[j].name, specs_[j].addr});
        }
    return tg;
}

void Runner::AddApps() {
    auto* apps = tbl_["app"].as_array();
    if (!apps) return;
    for (size_t k = 0; k < apps->size(); k++) {
        auto* t = (*apps)[k].as_table();
        std::string where = "app[" + std::to_string(k) + "]";
        if (!t) Fail(where + seqs_sim::LineOf((*apps)[k]) + ": must be a table");
        std::string type = Str(*t, "type", "", where);
        seqs_sim::AppFactory build = seqs_sim::FindAppFactory(type);
        if (!build) {
            std::string known;
            for (auto& n : seqs_sim::AppTypes()) known += (known.empty() ? "" : ", ") + n;
            Fail(seqs_sim::KeyAt(*t, "type", where) + ": unknown app type '" + type + "' (" + known + ")");
        }
        seqs_sim::AppSpec spec{*t, where, type, TimeKey(*t, "start", "0s", where),
                               Runner_ResolveOn(*t, index_, specs_.size(), where)};
        build(spec, *this);
    }
    if (last_due_ > duration_)
        Fail("scenario: duration " + std::to_string(duration_.GetSeconds()) + "s ends before the last reply is due (" +
             std::to_string(last_due_.GetSeconds()) + "s)");
}

json Runner::Collect(double wall_s, std::string* nodes_text) {
    json out;
    out["scenario"] = name_;
    out["file"] = args_.scenario;
    out["description"] = Str(tbl_, "description", "", "scenario");
    out["seed"] = seed_;
    out["topology"] = topology_;
    out["duration_s"] = duration_.GetSeconds();
    out["wall_s"] = wall_s;
    out["stack_bytes"] = sizeof(seqs_stack_t);   // one instance, allocated per node
    out["stack_profile"] = SEQS_SIM_PROFILE;
    std::map<std::string, double> m;
    bool first_node = true;
    struct Agg {
        uint64_t sent = 0, received = 0, late = 0, dup = 0, bad = 0, send_errors = 0, flows = 0, silent = 0, stray = 0;
        uint64_t rtt_max = 0, rtt_min = UINT64_MAX, rtt_sum = 0;
        double worst = 1.0;
        void Add(const json& f) {
            flows++;
            sent += f["sent"].get<uint64_t>();
            received += f["received"].get<uint64_t>();
            late += f["late"].get<uint64_t>();
            dup += f["dup"].get<uint64_t>();
            bad += f["bad"].get<uint64_t>();
            send_errors += f["send_errors"].get<uint64_t>();
            worst = std::min(worst, f["success_ratio"].get<double>());
            if (f["received"].get<uint64_t>() == 0) silent++;
            if (f.contains("rtt_us")) {
                rtt_max = std::max(rtt_max, f["rtt_us"]["max"].get<uint64_t>());
                rtt_min = std::min(rtt_min, f["rtt_us"]["min"].get<uint64_t>());
                rtt_sum += f["rtt_us"]["avg"].get<uint64_t>() * f["received"].get<uint64_t>();
            }
        }
        void Put(std::map<std::string, double>& m, const std::string& p) const {
            if (!flows) return;
            m[p + ".flows"] = (double)flows;
            m[p + ".sent"] = (double)sent;
            m[p + ".received"] = (double)received;
            m[p + ".lost"] = (double)(sent - received);
            m[p + ".late"] = (double)late;
            m[p + ".dup"] = (double)dup;
            m[p + ".bad"] = (double)bad;
            m[p + ".stray"] = (double)stray;
            m[p + ".send_errors"] = (double)send_errors;
            m[p + ".success_ratio"] = sent ? (double)received / (double)sent : 0.0;
            m[p + ".flow_success_ratio_min"] = worst;
            m[p + ".flows_without_reply"] = (double)silent;
            if (received) {
                m[p + ".rtt_min_us"] = (double)rtt_min;
                m[p + ".rtt_avg_us"] = (double)rtt_sum / (double)received;
                m[p + ".rtt_max_us"] = (double)rtt_max;
            }
        }
    };
    Agg all, udp, icmp;
    QueueDrops qd = queue_other_;
    std::map<std::string, Agg> labelled;
    uint64_t echoed = 0;
    std::map<std::string, double> tcp;
    double goodput_min = -1, goodput_sum = 0;
    for (auto& n : nodes_) {
        json j = n->Summary();
        for (auto& [k, v] : j["counters"].items()) m["counter." + k] += v.get<double>();
        for (auto& [k, v] : j["adapter"].items()) m["adapter." + k] += v.get<double>();
        for (auto& app : n->apps()) app->AddMetrics(m);
        for (auto& app : j["apps"]) {
            if (app["type"] == "udp-echo-server") echoed += app["echoed"].get<uint64_t>();
            if (app["type"] == "tcp-bulk") {
                tcp["flows"] += 1;
                bool done = app["done"].get<bool>();
                tcp["completed"] += done;
                tcp["failed"] += app.contains("error");
                tcp["bytes_written"] += app["written"].get<double>();
                if (done) {
                    tcp["bytes_acked"] += app["bytes"].get<double>() *
                                          (app.contains("rounds") ? app["rounds"]["repeat"].get<double>() : 1.0);
                    double g = app["goodput_bps"].get<double>();
                    goodput_sum += g;
                    goodput_min = goodput_min < 0 ? g : std::min(goodput_min, g);
                }
                if (app.contains("rounds")) {
                    tcp["rounds"] += app["rounds"]["repeat"].get<double>();
                    tcp["rounds_done"] += app["rounds"]["done"].get<double>();
                    tcp["round_errors"] += (double)app["rounds"]["errors"].size();
                    tcp["retransmits"] += app["rounds"]["retransmits"].get<double>();
                    tcp["rto_expirations"] += app["rounds"]["rto_expirations"].get<double>();
                } else if (app.contains("info")) {
                    for (const char* k : {"retransmits", "rto_expirations", "fast_retransmits", "dup_acks_in"})
                        tcp[k] += app["info"][k].get<double>();
                }
            }
            if (app["type"] == "tcp-sink") {
                for (auto& c : app["connections"]) {
                    tcp["sink_connections"] += 1;
                    tcp["sink_bytes"] += c["bytes"].get<double>();
                    tcp["sink_eof"] += c["eof"].get<bool>();
                    tcp["sink_bad_bytes"] += c["bad_bytes"].get<double>();
                    tcp["sink_errors"] += c.contains("error");
                }
            }
            if (app["type"] == "udp-ping" || app["type"] == "icmp-ping") {
                Agg& a = app["type"] == "udp-ping" ? udp : icmp;
                Agg* l = app.contains("label") ? &labelled[app["label"].get<std::string>()] : nullptr;
                for (auto& f : app["flows"]) {
                    a.Add(f);
                    all.Add(f);
                    if (l) l->Add(f);
                }
                a.stray += app["stray"].get<uint64_t>();
                all.stray += app["stray"].get<uint64_t>();
                if (l) l->stray += app["stray"].get<uint64_t>();
            }
        }
        size_t ni = index_.at(n->name());
        j["link"] = {{"queue_dropped_own", queue_own_[ni].total},
                     {"queue_dropped_toward", queue_toward_[ni].total},
                     {"queue_dropped_broadcast", queue_own_[ni].broadcast + queue_toward_[ni].broadcast}};
        qd.total += queue_own_[ni].total + queue_toward_[ni].total;
        qd.broadcast += queue_own_[ni].broadcast + queue_toward_[ni].broadcast;
        if (nodes_text) {
            *nodes_text += first_node ? "\n  " : ",\n  ";
            *nodes_text += json(n->name()).dump() + ": " + j.dump();
            first_node = false;
        }
    }
    if (!tcp.empty()) {
        for (auto& [k, v] : tcp) m["tcp." + k] = v;
        for (const char* k : {"flows", "completed", "failed", "bytes_written", "bytes_acked", "retransmits",
                              "rto_expirations", "fast_retransmits", "dup_acks_in", "sink_connections", "sink_bytes",
                              "sink_eof", "sink_bad_bytes", "sink_errors"})
            m.emplace(std::string("tcp.") + k, 0.0);   // present even when zero
        m["tcp.goodput_bps_min"] = goodput_min < 0 ? 0 : goodput_min;
        m["tcp.goodput_bps_avg"] = m["tcp.completed"] > 0 ? goodput_sum / m["tcp.completed"] : 0;
    }
    if (!ns3_sinks_.empty() || ns3_bulks_) {
        double rx = 0;
        for (auto& sk : ns3_sinks_) rx += (double)sk->GetTotalRx();
        m["ns3.sink_bytes"] = rx;
        m["ns3.bulk_tx_bytes"] = (double)ns3_bulk_tx_;
    }
    all.Put(m, "ping");
    udp.Put(m, "udp-ping");
    icmp.Put(m, "icmp-ping");
    for (auto& [label, agg] : labelled) agg.Put(m, label);
    m["echo.echoed"] = (double)echoed;
    m["link.dropped"] = (double)links_.dropped;
    m["link.queue_dropped"] = (double)qd.total;
    m["link.queue_dropped_broadcast"] = (double)qd.broadcast;
    // Frames the links delivered: to the switches and routers (counted by their handlers)
    // and to the hosts, whose devices hand every frame to the StackNode (taken in, or
    // ignored as for another host).
    uint64_t delivered = links_.delivered;
    for (auto& n : nodes_) delivered += n->stats().frames_in + n->stats().otherhost;
    m["link.delivered"] = (double)delivered;
    uint64_t offered = links_.dropped + delivered;
    m["link.loss_ratio"] = offered ? (double)links_.dropped / (double)offered : 0.0;
    m["nodes"] = (double)nodes_.size();
    out["metrics"] = m;

    json ex = json::array();
    bool ok = true;
    for (auto& e : expects_) {
        json j = {{"metric", e.metric}};
        if (e.min) j["min"] = *e.min;
        if (e.max) j["max"] = *e.max;
        if (!e.why.empty()) j["why"] = e.why;
        bool pass;
        if (!m.count(e.metric)) {
            j["error"] = "no such metric";
            pass = false;
        } else {
            double v = m[e.metric];
            j["value"] = v;
            pass = (!e.min || v >= *e.min) && (!e.max || v <= *e.max);
        }
        j["ok"] = pass;
        ok = ok && pass;
        ex.push_back(j);
    }
    out["expectations"] = ex;
    out["ok"] = ok;
    return out;
}

// NetAnim (ns-3's animator, --netanim FILE.xml): hosts on a circle, switches/routers/ghosts
// inside it, named after their scenario node; every host carries two counters (frames in,
// frames out) updated at each sample. ns-3's AnimationInterface animates packets only on
// the device types it knows (point-to-point, CSMA, Wi-Fi, LTE...): frames on the CSMA
// uplinks of "router" scenarios are animated, frames on wires (hosts' links) are not.
std::unique_ptr<AnimationInterface> Runner::SetUpNetAnim(seqs_sim::Series* series) {
    uint32_t total = NodeList::GetNNodes();
    size_t hosts = specs_.size();
    double r = std::max(20.0, (double)hosts * 1.5);
    for (uint32_t id = 0; id < total; id++) {
        Ptr<Node> n = NodeList::GetNode(id);
        double x, y;
        if (id < hosts) {
            double a = 2 * M_PI * id / (double)hosts;
            x = r + r * std::cos(a);
            y = r + r * std::sin(a);
        } else {   // switch, router, ghost: near the centre
            double a = 2 * M_PI * (id - hosts) / std::max<double>(1, total - hosts);
            x = r + r * 0.2 * std::cos(a);
            y = r + r * 0.2 * std::sin(a);
        }
        AnimationInterface::SetConstantPosition(n, x, y);
    }
    auto anim = std::make_unique<AnimationInterface>(args_.netanim);
    anim->SetMaxPktsPerTraceFile(10000000);
    for (uint32_t id = 0; id < total; id++) {
        if (id < hosts) {
            anim->UpdateNodeDescription(id, specs_[id].name);
            anim->UpdateNodeColor(id, 40, 160, 60);
        } else {
            anim->UpdateNodeDescription(id, switches_.count(id) ? "switch" : "ns-3");
            anim->UpdateNodeColor(id, 90, 90, 200);
        }
    }
    uint32_t cin = anim->AddNodeCounter("frames in", AnimationInterface::UINT32_COUNTER);
    uint32_t cout = anim->AddNodeCounter("frames out", AnimationInterface::UINT32_COUNTER);
    AnimationInterface* a = anim.get();
    series->on_node = [a, cin, cout, this](size_t i, uint64_t in, uint64_t out) {
        a->UpdateNodeCounter(cin, nodes_[i]->node_id(), (double)in);
        a->UpdateNodeCounter(cout, nodes_[i]->node_id(), (double)out);
    };
    return anim;
}

// --plot DIR: DIR/series.json, then sim/plot_series.py (matplotlib) draws the PNGs.
void Runner::WritePlots(const seqs_sim::Series& series) {
    std::error_code ec;
    std::filesystem::create_directories(args_.plot_dir, ec);
    if (ec) Fail("cannot create " + args_.plot_dir + ": " + ec.message());
    std::string js = args_.plot_dir + "/series.json";
    {
        json j = series.ToJson();
        j["scenario"] = name_;
        j["seed"] = seed_;
        std::ofstream f(js);
        f << j.dump() << "\n";
        if (!f) Fail("cannot write " + js);
    }
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", SEQS_SIM_PLOT_SCRIPT, js.c_str(), args_.plot_dir.c_str(), (char*)nullptr);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        Fail(std::string("plotting failed: /usr/bin/python3 " SEQS_SIM_PLOT_SCRIPT " ") + js +
             " did not succeed (is python3-matplotlib installed?)");
}

int Runner::Run() {
    Load();
    if (!args_.pcap_dir.empty()) {
        // One open pcap per node: make sure the descriptors exist before the run, not at node 1019.
        rlim_t need = (rlim_t)specs_.size() + 64;
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
            if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
                rl.rlim_cur = need;
                setrlimit(RLIMIT_NOFILE, &rl);
            }
            getrlimit(RLIMIT_NOFILE, &rl);
            if (rl.rlim_cur < need)
                Fail("--pcap-dir keeps one file open per node: " + std::to_string(specs_.size()) +
                     " nodes need about " + std::to_string(need) + " descriptors, the limit is " +
                     std::to_string(rl.rlim_cur) + " (ulimit -n); use --pcapng FILE (one file, one interface per node)");
        }
        std::error_code ec;
        std::filesystem::create_directories(args_.pcap_dir, ec);
        if (ec) Fail("cannot create " + args_.pcap_dir + ": " + ec.message());
    }
    if (!args_.pcapng.empty()) {
        pcapng_ = std::make_unique<seqs_sim::PcapngWriter>();
        std::string err;
        if (!pcapng_->Open(args_.pcapng, &err)) Fail(err);
    }
    Build();
    AddApps();
    {
        // The event queue: ours (ns-3's order, plus prefetching of the next event's node)
        // unless one of ns-3's is asked for; every choice gives the same run. Set after the
        // topology chose the simulator implementation (tap: real time); the events
        // scheduled so far move into it.
        ObjectFactory f;
        if (args_.scheduler == "prefetch") f.SetTypeId(seqs_sim::PrefetchScheduler::GetTypeId());
        else {
            std::string n = args_.scheduler;
            n[0] = (char)std::toupper((unsigned char)n[0]);
            f.SetTypeId("ns3::" + n + "Scheduler");
        }
        Simulator::SetScheduler(f);
    }
    double huge_s = 0;
    if (args_.huge_pages) {
        auto h0 = std::chrono::steady_clock::now();
        UseHugePages();
        huge_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
    }
    auto t0 = std::chrono::steady_clock::now();
    // --plot / --netanim: sample the run (events that only read state).
    std::unique_ptr<seqs_sim::Series> series;
    std::unique_ptr<AnimationInterface> anim;
    if (!args_.plot_dir.empty() || !args_.netanim.empty()) {
        series = std::make_unique<seqs_sim::Series>(nodes_, std::max(duration_ / 1000, MilliSeconds(1)),
                                                    [this](size_t i) { return QueueDropsOf(i); });
        series->Start();
    }
    if (!args_.netanim.empty()) anim = SetUpNetAnim(series.get());
    Progress progress;
    if (args_.progress) progress.Start(duration_);
    Simulator::Stop(duration_);
    Simulator::Run();
    if (args_.progress) progress.Finish();
    if (pcapng_ && !pcapng_->Close()) Fail("writing " + args_.pcapng + " failed (disk full?)");
    anim.reset();   // closes the NetAnim XML
    if (!args_.plot_dir.empty()) WritePlots(*series);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    long rss_run = PeakRssKb();   // before the summary is built
    std::string nodes_text;
    json out = Collect(wall, args_.out.empty() ? nullptr : &nodes_text);
    out["peak_rss_kb_run"] = rss_run;
    // How this process ran (not results of the scenario: they do not depend on it).
    out["process"] = {{"scheduler", args_.scheduler},
                      {"link", args_.link},
                      {"prefetched_lines", seqs_sim::PrefetchRegistry::Get().issued()},
                      {"huge_pages", {{"asked", args_.huge_pages}, {"kb_at_end", AnonHugeKb()}, {"setup_s", huge_s}}}};
    {
        const json& m = out["metrics"];
        double qb = m["link.queue_dropped_broadcast"].get<double>(), qt = m["link.queue_dropped"].get<double>();
        if (qb > 0)
            std::cerr << "seqs-sim: warning: " << (uint64_t)qb << " broadcast frame copies (ARP requests, "
                      << "announcements) were dropped by full device queues (" << (uint64_t)qt
                      << " queue drops in all; see link.queue_dropped and each node's \"link\"); "
                      << "a larger [link] queue or staggered starts avoid it\n";
        else if (qt > 0)
            std::cerr << "seqs-sim: warning: " << (uint64_t)qt << " frames were dropped by full device queues "
                      << "(link.queue_dropped)\n";
    }
    if (!args_.out.empty()) {
        std::ofstream f(args_.out);
        std::string head = out.dump(1);   // "{ ... }": append "nodes" before the closing brace
        head.pop_back();
        f << head << ",\n \"nodes\": {" << nodes_text << "\n }\n}\n";
        if (!f) Fail("cannot write " + args_.out);
    }
    if (!args_.quiet) {
        std::cout << "scenario " << name_ << " seed " << seed_ << ": " << nodes_.size() << " nodes, "
                  << out["duration_s"].get<double>() << " s simulated in " << wall << " s\n";
        const json& m = out["metrics"];
        for (const char* k : {"icmp-ping.sent", "icmp-ping.received", "icmp-ping.success_ratio", "udp-ping.sent",
                              "udp-ping.received", "udp-ping.success_ratio", "ping.rtt_avg_us", "echo.echoed",
                              "tcp.completed", "tcp.sink_bytes", "tcp.goodput_bps_avg", "tcp.retransmits",
                              "link.dropped", "link.loss_ratio", "link.queue_dropped"})
            if (m.contains(k)) std::cout << "  " << k << " = " << m[k].get<double>() << "\n";
        for (auto& e : out["expectations"]) {
            std::cout << "  " << (e["ok"].get<bool>() ? "PASS " : "FAIL ") << e["metric"].get<std::string>();
            if (e.contains("value")) std::cout << " = " << e["value"].get<double>();
            if (e.contains("min")) std::cout << " (min " << e["min"].get<double>() << ")";
            if (e.contains("max")) std::cout << " (max " << e["max"].get<double>() << ")";
            if (e.contains("error")) std::cout << " (" << e["error"].get<std::string>() << ")";
            std::cout << "\n";
        }
        std::cout << (out["ok"].get<bool>() ? "OK" : "EXPECTATION FAILED") << std::endl;
    }
    nodes_.clear();   // cancels their timers while the simulator still exists
    Simulator::Destroy();
    return out["ok"].get<bool>() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; i++) {
        std::string s = argv[i];
        auto need = [&](const char* opt) -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "seqs-sim: " << opt << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (s == "--out") a.out = need("--out");
        else if (s == "--pcap-dir") a.pcap_dir = need("--pcap-dir");
        else if (s == "--seed") {
            std::string v = need("--seed");
            char* end;
            unsigned long long x = std::strtoull(v.c_str(), &end, 10);
            if (*end || v.empty()) {
                std::cerr << "seqs-sim: bad seed '" << v << "'\n";
                return 2;
            }
            a.seed = x;
        } else if (s == "--quiet") a.quiet = true;
        else if (s == "--no-progress") a.progress = false;
        else if (s == "--no-huge-pages") a.huge_pages = false;
        else if (s == "--pcapng") a.pcapng = need("--pcapng");
        else if (s == "--netanim") a.netanim = need("--netanim");
        else if (s == "--plot") a.plot_dir = need("--plot");
        else if (s == "--link") {
            a.link = need("--link");
            if (a.link != "wire" && a.link != "simple") {
                std::cerr << "seqs-sim: --link must be wire or simple, not '" << a.link << "'\n";
                return 2;
            }
        }
        else if (s == "--scheduler") {
            a.scheduler = need("--scheduler");
            if (a.scheduler != "prefetch" && a.scheduler != "map" && a.scheduler != "heap" && a.scheduler != "list" &&
                a.scheduler != "calendar") {
                std::cerr << "seqs-sim: --scheduler must be prefetch, map, heap, list or calendar, not '" << a.scheduler
                          << "'\n";
                return 2;
            }
        }
        else if (s == "-h" || s == "--help") {
            Usage();
            return 0;
        } else if (!s.empty() && s[0] == '-') {
            std::cerr << "seqs-sim: unknown option " << s << "\n";
            Usage();
            return 2;
        } else if (a.scenario.empty()) a.scenario = s;
        else {
            Usage();
            return 2;
        }
    }
    if (a.scenario.empty()) {
        Usage();
        return 2;
    }
    try {
        Runner r(a);
        return r.Run();
    } catch (const ScenarioError& e) {
        std::cerr << "seqs-sim: " << e.what() << "\n";
        return 2;
    } catch (const OtherProfile& o) {
        // Each stack profile is its own build (the core's opts are compile-time): run the
        // scenario on the sibling executable built with that profile.
        if (std::getenv("SEQS_SIM_REEXEC")) {
            std::cerr << "seqs-sim: profile '" << o.profile << "' requested again after re-exec\n";
            return 2;
        }
        std::error_code ec;
        std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
        std::string exe = o.profile == "compact" ? "seqs-sim" : "seqs-sim-" + o.profile;
        std::string path = (self.parent_path() / exe).string();
        setenv("SEQS_SIM_REEXEC", "1", 1);
        std::vector<char*> av(argv, argv + argc);
        av[0] = path.data();
        av.push_back(nullptr);
        execv(path.c_str(), av.data());
        std::cerr << "seqs-sim: the scenario needs stack profile '" << o.profile << "' but " << path
                  << " cannot be run: " << std::strerror(errno) << "\n";
        return 2;
    }
}

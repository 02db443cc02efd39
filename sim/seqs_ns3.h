/* SPDX-License-Identifier: BSD-3-Clause */
// sim/seqs_ns3.h — runs one seqs stack instance on an ns-3 node's NetDevice.
//
// StackNode is the port of the sans-IO core to ns-3: frames come in through a
// promiscuous protocol handler on the device (the 14-byte Ethernet header is
// rebuilt from the callback's to/from/protocol), frames go out with SendFrom(),
// and a single scheduled event per instance sits at the stack's next deadline,
// re-armed after every call into the stack. Simulated time is the stack's clock
// (microseconds). The stack's random source is seeded from an ns-3 RNG stream,
// so a run is a function of (scenario, seed). Apps (UDP echo server, ping
// clients) drive the stack through the public C API only.
#ifndef SEQS_SIM_SEQS_NS3_H
#define SEQS_SIM_SEQS_NS3_H

#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ns3/event-id.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/pcap-file-wrapper.h"
#include "ns3/ptr.h"
#include "ns3/random-variable-stream.h"
#include "pcapng.h"
#include "prefetch_scheduler.h"
#include "wire.h"

extern "C" {
#include "seqs/seqs.h"
}

namespace seqs_sim {

class StackNode;

// Allocates on cache-line boundaries: a small array the prefetcher warms then costs the
// lines its size needs, not one more for straddling a boundary.
template <class T>
struct LineAllocator {
    using value_type = T;
    LineAllocator() = default;
    template <class U>
    LineAllocator(const LineAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    template <class U>
    bool operator==(const LineAllocator<U>&) const { return true; }
    template <class U>
    bool operator!=(const LineAllocator<U>&) const { return false; }
};

// Cumulative state of one flow of an app, for --plot time series (the sampler differences
// successive samples): payload bytes delivered end to end, and RTT samples.
struct FlowSample {
    std::string flow;          // "h1>h2 icmp-ping", "a>b tcp-bulk"
    double bytes = 0;          // delivered so far (echo replies received x size; bytes acknowledged)
    double rtt_sum_us = 0;     // sum of RTT samples so far ...
    double rtt_n = 0;          // ... and their number (ping); 0 when the app has none
    double srtt_us = -1;       // current smoothed RTT (TCP), -1 when none
    double lost = 0;           // probes given up so far (ping)
};

// Something that runs on a node and uses its stack through the public API.
class App {
  public:
    virtual ~App() = default;
    // Called once at the app's start time.
    virtual void Start(StackNode& node) = 0;
    // Called after every frame or timer the stack processed: drain sockets here.
    virtual void OnStackEvent(StackNode& node) = 0;
    // Results for the JSON summary.
    virtual nlohmann::json Results() const = 0;
    virtual std::string Type() const = 0;
    // Adds this app's share of the run's aggregate metrics (summed over all apps and nodes;
    // keys "<prefix>.<name>"). The built-in ping/TCP/echo apps are aggregated by the runner.
    virtual void AddMetrics(std::map<std::string, double>& metrics) const { (void)metrics; }
    // Appends the current state of each of this app's flows (for --plot); none by default.
    virtual void SampleFlows(const std::string& node, std::vector<FlowSample>& out) const {
        (void)node;
        (void)out;
    }
    // Appends the memory this app touches on every event of its node (for PrefetchScheduler),
    // in its own objects or in the node's stack; by default the app object's first 128 bytes.
    virtual void PrefetchRanges(const StackNode& node, std::vector<PrefetchRegistry::Range>& out) const {
        (void)node;
        out.push_back({this, 128});
    }
  private:
    friend class StackNode;
    // The node's next app: the walk after every stack call follows these links through the
    // apps' own (prefetched) objects, not the node's cold vector of owners.
    App* next_app_ = nullptr;
};

struct AdapterStats {
    uint64_t frames_in = 0;        // handed to seqs_stack_input
    uint64_t frames_out = 0;       // pulled from seqs_stack_output and accepted by the device
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t tx_refused = 0;       // device refused SendFrom (queue full)
    uint64_t tx_bad_frame = 0;     // stack produced a frame shorter than an Ethernet header
    uint64_t otherhost = 0;        // frames for other MACs seen by the promiscuous handler (ignored)
    uint64_t timer_events = 0;     // deadline events that fired
    uint64_t deadline_stuck = 0;   // deadline <= now right after draining output (core bug)
    uint64_t first_stuck_us = 0;   // when it first happened, and the deadline reported then
    uint64_t first_stuck_deadline = 0;
};

struct StackNodeConfig {
    std::string name;
    uint8_t mac[6] = {0};
    uint32_t addr = 0;             // host order; 0 = none
    uint8_t prefix_len = 24;
    uint32_t gateway = 0;
    bool gratuitous = true;        // announce the static address (seqs default)
    uint16_t mtu = 0;              // 0 = stack default
};

class alignas(64) StackNode {   // line-aligned: its hot fields are prefetched
  public:
    // Attaches a new stack to dev (which must be on node). rng is an ns-3 stream
    // already assigned (AssignStreams/SetStream): the stack seed is drawn from it.
    StackNode(const StackNodeConfig& cfg, ns3::Ptr<ns3::Node> node, ns3::Ptr<ns3::NetDevice> dev,
              ns3::Ptr<ns3::UniformRandomVariable> rng);
    ~StackNode();
    StackNode(const StackNode&) = delete;
    StackNode& operator=(const StackNode&) = delete;

    // Writes every frame in and out of this stack to path (pcap, DLT_EN10MB).
    void EnablePcap(const std::string& path);
    // Writes every frame in and out of this stack to interface ifid of a shared pcapng file.
    void EnablePcapng(PcapngWriter* w, uint32_t ifid) {
        pcapng_ = w;
        pcapng_if_ = ifid;
        capturing_ = true;
    }
    // Schedules the address configuration at time 0 (the stack's clock starts with the simulation).
    void Boot();
    // Adds an app started at `start` (simulated time), with an optional label under which the
    // runner also aggregates its metrics (kept here, not in the app: an app's object is
    // prefetched on every event of its node, and the label is only read for the summary).
    void AddApp(std::unique_ptr<App> app, ns3::Time start, std::string label = "");

    // After an app used the stack (send, bind...): transmit what it queued, re-arm the timer.
    void Kick();

    seqs_stack_t* stack() { return &stack_.s; }
    // Tells PrefetchRegistry what this node's next event will also touch, until the next call
    // (e.g. the slot the stack writes the next echo reply into).
    void SetPrefetchMoving(const void* p, uint32_t bytes) { PrefetchRegistry::Get().SetMoving(id_, p, bytes); }
    const seqs_stack_t* stack() const { return &stack_.s; }
    const std::string& name() const { return cfg_.name; }
    uint32_t node_id() const { return id_; }
    const StackNodeConfig& config() const { return cfg_; }
    uint32_t addr() const { return cfg_.addr; }
    const AdapterStats& stats() const { return stats_; }
    const std::vector<std::unique_ptr<App>>& apps() const { return apps_; }
    ns3::Ptr<ns3::UniformRandomVariable> rng() const { return rng_; }
    int set_addr_result() const { return set_addr_result_; }
    static uint64_t NowUs();

    nlohmann::json Summary() const;

    // Tells PrefetchRegistry what this node's events touch (called again when an app starts).
    void RegisterPrefetch() const;

  private:
    static bool Dispatch(ns3::Ptr<ns3::NetDevice> dev, ns3::Ptr<const ns3::Packet> pkt, uint16_t proto,
                         const ns3::Address& from, const ns3::Address& to, ns3::NetDevice::PacketType type);
    static void FromWire(void* self, const ns3::Packet& payload, uint16_t proto, const uint8_t* dst,
                         const uint8_t* src, ns3::NetDevice::PacketType type);
    void Receive(const ns3::Packet& payload, uint16_t proto, const uint8_t* dst, const uint8_t* src,
                 ns3::NetDevice::PacketType type);
    void OnTimer();
    void AfterStackCall();
    void Flush();
    void Capture(const uint8_t* frame, size_t len);   // to the pcap and pcapng files asked for
    void Rearm();
    void StartApp(size_t i);
    void Configure();

    // Hot: what every frame and timer of the node reads, from wire_ to stats_.bytes_out, in
    // the object's first cache line (RegisterPrefetch names this span), then the stack on
    // its own lines: no pointer between the node and its stack.
    WireDevice* wire_ = nullptr;   // dev_ when it is a WireDevice: frames skip ns-3's Address objects
    App* first_app_ = nullptr;     // apps_ linked through App::next_app_
    uint64_t timer_at_ = SEQS_NEVER;   // deadline of the pending timer event, SEQS_NEVER if none
    uint32_t id_;                  // the ns-3 node's id
    bool in_apps_ = false;
    bool capturing_ = false;       // pcap_ or pcapng_ is set
    AdapterStats stats_;
    struct alignas(64) AlignedStack {
        seqs_stack_t s;
    };
    AlignedStack stack_;
    // Cold.
    std::vector<std::unique_ptr<App>> apps_;   // owners, in the order added
    std::vector<std::string> app_labels_;      // apps_[i]'s label ("" = none)
    PcapngWriter* pcapng_ = nullptr;
    ns3::Ptr<ns3::PcapFileWrapper> pcap_;
    uint32_t pcapng_if_ = 0;
    ns3::EventId timer_;           // touched only when the deadline moves
    StackNodeConfig cfg_;
    ns3::Ptr<ns3::Node> node_;
    ns3::Ptr<ns3::NetDevice> dev_;
    ns3::Ptr<ns3::UniformRandomVariable> rng_;
    int set_addr_result_ = 0;
};

// --- apps -------------------------------------------------------------------

// Echoes every UDP datagram back to its sender, from the address it was sent to.
class UdpEchoServer : public App {
  public:
    // rxbuf: the socket's receive ring (bytes).
    explicit UdpEchoServer(uint16_t port, uint32_t rxbuf = 16384) : port_(port), rxbuf_(rxbuf) {}
    void Start(StackNode& node) override;
    void OnStackEvent(StackNode& node) override;
    nlohmann::json Results() const override;
    std::string Type() const override { return "udp-echo-server"; }

  private:
    uint16_t port_;
    uint32_t rxbuf_;
    seqs_udp_t sock_ = 0;
    int open_error_ = 0;
    std::vector<uint8_t> rxring_;
    uint64_t echoed_ = 0, truncated_ = 0, send_errors_ = 0;
};

struct PingTarget {
    std::string name;
    uint32_t addr;
};

struct PingParams {
    uint32_t count = 10;
    ns3::Time interval = ns3::MilliSeconds(100);
    ns3::Time timeout = ns3::Seconds(1);
    uint16_t size = 56;        // payload bytes (UDP payload, or ICMP echo data)
    uint16_t port = 7;         // UDP echo port (udp-ping only)
};

// A ping client: per target a flow of `count` probes `interval` apart; a reply
// within `timeout` counts as received. The first probe of each flow is jittered
// by up to one interval (from the node's RNG stream) so that many nodes do not
// transmit in lockstep. Subclasses send probes and hand back what came in.
class alignas(64) PingApp : public App {   // line-aligned: prefetched
  public:
    PingApp(std::vector<PingTarget> targets, PingParams p) : targets_(std::move(targets)), p_(p) {}
    void Start(StackNode& node) override;
    nlohmann::json Results() const override;
    // Time after the app's start by which every reply is due.
    static ns3::Time Span(const PingParams& p) { return p.interval * (int64_t)(p.count + 1) + p.timeout; }
    void SampleFlows(const std::string& node, std::vector<FlowSample>& out) const override;
    void PrefetchRanges(const StackNode& node, std::vector<PrefetchRegistry::Range>& out) const override;

  protected:
    // Opens what the app needs; returns a seqs error (0 = ok).
    virtual int Open(StackNode& node) = 0;
    // Sends probe `seq` of flow `flow`; returns a seqs result (< 0 = error).
    virtual int SendProbe(StackNode& node, size_t flow, uint32_t seq) = 0;
    // A reply for (flow, seq) arrived at rx_us; intact = it is exactly the echo of our probe.
    void OnReply(size_t flow, uint32_t seq, bool intact, uint64_t rx_us, int ttl = -1);
    void Stray() { stray_++; }   // a reply that matches no probe of ours
    uint32_t TargetAddr(size_t flow) const { return flows_[flow].addr; }

    std::vector<PingTarget> targets_;
    PingParams p_;
    int open_error_ = 0;

  private:
    // Hot first: a probe and its reply read the fields up to `errors` (PrefetchRanges).
    struct alignas(64) Flow {
        uint32_t addr = 0;   // target.addr
        uint32_t next_seq = 0;
        // Probe counts (a flow has at most `count`, a uint32_t, probes; 32 bits keep the hot
        // part of a flow in two cache lines).
        uint32_t sent = 0, received = 0, late = 0, dup = 0, send_errors = 0, bad = 0;
        uint64_t rtt_sum = 0, rtt_min = UINT64_MAX, rtt_max = 0;
        // Probe q goes out at first_step + q * interval (simulator time steps): one word of
        // "sent" bits and one of "answered" bits per 64 probes, not a time per probe (a
        // per-probe array is a new cache line every probe at 10,000 nodes).
        int64_t first_step = 0;
        std::vector<uint64_t, LineAllocator<uint64_t>> marks;
        bool Sent(uint32_t q) const { return marks[2 * (q >> 6)] >> (q & 63) & 1; }
        bool Got(uint32_t q) const { return marks[2 * (q >> 6) + 1] >> (q & 63) & 1; }
        void SetSent(uint32_t q) { marks[2 * (q >> 6)] |= 1ull << (q & 63); }
        void SetGot(uint32_t q) { marks[2 * (q >> 6) + 1] |= 1ull << (q & 63); }
        uint64_t ttls[4] = {0, 0, 0, 0};   // bit t: a reply came with IP TTL t (when known)
        std::vector<int> errors;         // distinct send error codes
        PingTarget target;
    };
    void SendNext(StackNode* node, size_t flow);
    uint64_t SentAtUs(const Flow& f, uint32_t q) const;   // when probe q was sent (us)
    std::vector<Flow> flows_;
    uint64_t stray_ = 0;
};

// Ping over UDP echo: each probe is a datagram (magic, flow, seq, pattern) to the
// target's echo port; the reply must come back intact from that address and port.
class UdpPing : public PingApp {
  public:
    using PingApp::PingApp;
    void OnStackEvent(StackNode& node) override;
    std::string Type() const override { return "udp-ping"; }

  protected:
    int Open(StackNode& node) override;
    int SendProbe(StackNode& node, size_t flow, uint32_t seq) override;

  private:
    seqs_udp_t sock_ = 0;
    std::vector<uint8_t> rxring_;
    std::vector<uint8_t> buf_;
};

// Ping with ICMP echo requests (seqs/icmp.h): identifier = a per-app random base
// + flow index, sequence = probe number; the stack answers requests by itself,
// so targets need no app. One icmp-ping app per node (replies share one queue).
class IcmpPing : public PingApp {
  public:
    using PingApp::PingApp;
    void OnStackEvent(StackNode& node) override;
    std::string Type() const override { return "icmp-ping"; }

  protected:
    int Open(StackNode& node) override;
    int SendProbe(StackNode& node, size_t flow, uint32_t seq) override;

  private:
    uint16_t id_base_ = 0;
    bool open_ = false;
};

// --- TCP -------------------------------------------------------------------------

// The byte at stream offset i of every bulk transfer: position-dependent (also
// in its high bits) so that a lost, duplicated or misplaced segment shows up.
inline uint8_t TcpPatternByte(uint64_t i) { return (uint8_t)(i + (i >> 8) * 7 + (i >> 16) * 13); }

// Accepts connections on a port and reads each to its end, checking every byte
// against TcpPatternByte; closes a connection once its FIN has been read.
class TcpSink : public App {
  public:
    // zeros: expect all-zero data (what ns-3's BulkSendApplication sends) instead of the pattern.
    // max_conns: buffer-pool slots (live connections); backlog: half-open/unaccepted
    // connections before SYN cookies (0 = max_conns).
    TcpSink(uint16_t port, uint32_t rxbuf, unsigned max_conns, bool zeros = false, unsigned backlog = 0)
        : port_(port), rxbuf_(rxbuf), max_conns_(max_conns), zeros_(zeros), backlog_(backlog ? backlog : max_conns) {}
    void Start(StackNode& node) override;
    void OnStackEvent(StackNode& node) override;
    nlohmann::json Results() const override;
    std::string Type() const override { return "tcp-sink"; }

  private:
    struct Conn {
        seqs_tcp_t h;
        uint32_t remote = 0;
        uint64_t accepted_us = 0, eof_us = 0, bytes = 0, bad_bytes = 0;
        int64_t first_bad = -1;
        int error = 0;
        bool done = false;
    };
    uint16_t port_;
    uint32_t rxbuf_;
    unsigned max_conns_;
    bool zeros_;
    unsigned backlog_;
    seqs_tcp_listener_t listener_ = 0;
    int open_error_ = 0;
    std::vector<uint8_t> pool_;
    std::vector<uint8_t> buf_;
    std::vector<Conn> conns_;
};

// Connects to a target and sends `bytes` of the pattern, then shuts down; a round is
// done when our FIN is acknowledged (FIN-WAIT-2/TIME-WAIT), i.e. every byte was acked.
// With repeat > 1 it runs that many rounds one after the other, `gap` apart, each on a
// new connection (new buffers, new ephemeral port): connection churn.
class TcpBulk : public App {
  public:
    TcpBulk(PingTarget target, uint64_t bytes, uint16_t port, uint32_t txbuf, uint32_t rxbuf, uint32_t repeat = 1,
            ns3::Time gap = ns3::Seconds(0))
        : target_(std::move(target)), bytes_(bytes), port_(port), txbuf_(txbuf), rxbuf_(rxbuf), repeat_(repeat),
          gap_(gap) {}
    void Start(StackNode& node) override;
    void OnStackEvent(StackNode& node) override;
    nlohmann::json Results() const override;
    std::string Type() const override { return "tcp-bulk"; }

  private:
    void Connect(StackNode* node);
    void EndRound(StackNode& node, uint64_t now);

    PingTarget target_;
    uint64_t bytes_;
    uint16_t port_;
    uint32_t txbuf_, rxbuf_;
    uint32_t repeat_;
    ns3::Time gap_;
    std::vector<std::vector<uint8_t>> bufs_;   // every round's buffers live until the end
    seqs_tcp_t h_ = 0;
    int error_ = 0;                             // this round's error
    uint64_t start_us_ = 0, connected_us_ = 0, done_us_ = 0, written_ = 0;
    bool connected_ = false, shut_ = false, done_ = false, active_ = false;
    seqs_tcp_info_t info_{};
    bool have_info_ = false;
    // over all rounds
    uint64_t first_start_us_ = 0, last_done_us_ = 0;
    uint32_t rounds_started_ = 0, rounds_done_ = 0;
    std::vector<std::string> round_errors_;
    std::vector<uint64_t> round_us_;
    uint64_t retransmits_ = 0, rto_expirations_ = 0;
    uint64_t acked_done_ = 0;   // bytes acknowledged in finished rounds

  public:
    void SampleFlows(const std::string& node, std::vector<FlowSample>& out) const override;
};

}  // namespace seqs_sim

#endif

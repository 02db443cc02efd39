/* SPDX-License-Identifier: BSD-3-Clause */
// sim/seqs_ns3.cc — the ns-3 port of the seqs core, and the apps scenarios run on it.
#include "seqs_ns3.h"

#include <algorithm>
#include <cstring>

#include "ns3/mac48-address.h"
#include "ns3/channel.h"
#include "ns3/queue.h"
#include "ns3/simulator.h"
#include "ns3/trace-helper.h"

namespace seqs_sim {

using namespace ns3;

namespace {

constexpr size_t kEthHdr = 14;
constexpr size_t kMinFrame = 60;   // Ethernet minimum without FCS: a real MAC pads to this

std::string Ip4(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

void Put16(uint8_t* p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void Put32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
uint32_t Get16(const uint8_t* p) { return (uint32_t)p[0] << 8 | p[1]; }
uint32_t Get32(const uint8_t* p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

// One receive and one transmit buffer for every StackNode of the process (not 64 KB per
// node): ns-3 runs one event at a time and the stack keeps no pointer into either buffer
// once seqs_stack_input()/the SendFrom() copy returned. The receive buffer grows to the
// largest frame a device delivered.
std::vector<uint8_t>& SharedRxBuf() {
    static std::vector<uint8_t> buf(SEQS_MAX_FRAME);
    return buf;
}
uint8_t* SharedTxBuf() {
    static uint8_t buf[SEQS_MAX_FRAME + kMinFrame];
    return buf;
}

bool IgnoreRxFn(Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&) { return true; }

// ns-3 node id -> the StackNode on it. Every device shares one receive callback that looks
// its StackNode up here: a callback bound to each StackNode would be one more object per
// node, cold whenever a frame arrives.
std::vector<StackNode*>& ByNodeId() {
    static std::vector<StackNode*> v;
    return v;
}

const NetDevice::ReceiveCallback& IgnoreRx() {
    static const NetDevice::ReceiveCallback cb = MakeCallback(&IgnoreRxFn);
    return cb;
}

}  // namespace

// --- StackNode ----------------------------------------------------------------

StackNode::StackNode(const StackNodeConfig& cfg, Ptr<Node> node, Ptr<NetDevice> dev,
                     Ptr<UniformRandomVariable> rng)
    : id_(node->GetId()), stack_(), cfg_(cfg), node_(node), dev_(dev), rng_(rng) {
    seqs_config_t c;
    seqs_config_default(&c);
    std::memcpy(c.mac, cfg.mac, 6);
    if (cfg.mtu) c.mtu = cfg.mtu;
    if (!cfg.gratuitous) c.flags |= SEQS_CFG_NO_GRATUITOUS;
    // 64 bits of seed from this node's ns-3 stream, 16 at a time (GetInteger's max is inclusive).
    uint64_t seed = 0;
    for (int i = 0; i < 4; i++) seed = seed << 16 | rng_->GetInteger(0, 0xFFFF);
    c.rng_seed = seed;
    int rc = seqs_stack_init(stack(), &c);
    NS_ABORT_MSG_IF(rc != SEQS_OK, "seqs_stack_init failed for " << cfg.name << ": " << seqs_strerror(rc));
    Mac48Address mac;
    mac.CopyFrom(cfg.mac);
    dev_->SetAddress(mac);
    // The stack is the device's only user. A wire (sim/wire.h) hands it every frame through
    // a function pointer, with the addresses as bytes.
    if (auto w = DynamicCast<WireDevice>(dev_)) {
        wire_ = PeekPointer(w);
        wire_->SetFrameSink(&StackNode::FromWire, this);
        RegisterPrefetch();
        return;
    }
    // Another device hands every frame straight to it through its promiscuous callback
    // (which carries the destination address and the packet type), not through the node's
    // protocol-handler list, which costs two walks and two more callback objects per frame.
    // The ordinary receive callback, which the device also calls for frames addressed to
    // it, is one shared no-op.
    dev_->SetReceiveCallback(IgnoreRx());
    std::vector<StackNode*>& by_id = ByNodeId();
    if (by_id.size() <= node_->GetId()) by_id.resize(node_->GetId() + 1, nullptr);
    NS_ABORT_MSG_IF(by_id[node_->GetId()], "node " << node_->GetId() << " already has a stack");
    by_id[node_->GetId()] = this;
    static const NetDevice::PromiscReceiveCallback dispatch = MakeCallback(&StackNode::Dispatch);
    dev_->SetPromiscReceiveCallback(dispatch);
    RegisterPrefetch();
}

void StackNode::RegisterPrefetch() const {
    using R = PrefetchRegistry::Range;
    std::vector<R> r;
    const uint8_t* self = reinterpret_cast<const uint8_t*>(this);
    r.push_back({this, (uint32_t)(reinterpret_cast<const uint8_t*>(&stats_.bytes_out + 1) - self)});
    // What a frame or a timer reads in the core (stack/include/seqs/priv/stack.h): the clock,
    // deadlines, app list, configuration, address and the counters an ordinary frame bumps
    // (the first rows of seqs_counters_t); the first ARP entry; the TCP timer head; the
    // transmit queue's indices and the start of its ring (where a frame goes when the queue
    // is empty). Exact byte counts, not whole lines: a range is rounded out to the lines it
    // touches. The rest (drop counters, the echo ring, sockets) only when a user of them
    // asks: apps add their own, and open UDP sockets are added here.
    const uint8_t* st = reinterpret_cast<const uint8_t*>(stack());
    r.push_back({st, (uint32_t)(offsetof(seqs_stack_t, cnt) + offsetof(seqs_counters_t, eth_drop_runt))});
    r.push_back({st + offsetof(seqs_stack_t, arp), (uint32_t)sizeof(seqs_arp_entry)});
    r.push_back({st + offsetof(seqs_stack_t, tcp), 16});   // next_timer, nwork, work_sum
    r.push_back({st + offsetof(seqs_stack_t, txq), 128});
    bool udp = false;
    for (const auto& u : stack()->udp) udp = udp || u.open;
    if (udp) {
        r.push_back({st + offsetof(seqs_stack_t, udp), (uint32_t)sizeof(stack()->udp)});
    }
    if (wire_) {
        // This end of the wire (its hot fields; the far end is only named in the arrival
        // event, and touched when it runs, in the peer's context).
        r.push_back({wire_, WireDevice::kHotBytes});
    } else {
        r.push_back({PeekPointer(node_), (uint32_t)sizeof(Node)});
        r.push_back({PeekPointer(dev_), 256});
    }
    for (auto& a : apps_) a->PrefetchRanges(*this, r);
    PrefetchRegistry::Get().Set(id_, r);
}

StackNode::~StackNode() {
    timer_.Cancel();
    std::vector<StackNode*>& by_id = ByNodeId();
    if (node_->GetId() < by_id.size() && by_id[node_->GetId()] == this) by_id[node_->GetId()] = nullptr;
}

bool StackNode::Dispatch(Ptr<NetDevice> dev, Ptr<const Packet> pkt, uint16_t proto, const Address& from,
                         const Address& to, NetDevice::PacketType type) {
    uint32_t id = dev->GetNode()->GetId();
    std::vector<StackNode*>& by_id = ByNodeId();
    if (id >= by_id.size() || !by_id[id]) return false;   // the StackNode is gone (end of run)
    uint8_t d[6], s[6];
    Mac48Address::ConvertFrom(to).CopyTo(d);
    Mac48Address::ConvertFrom(from).CopyTo(s);
    by_id[id]->Receive(*pkt, proto, d, s, type);
    return true;
}

void StackNode::FromWire(void* self, const Packet& payload, uint16_t proto, const uint8_t* dst, const uint8_t* src,
                         NetDevice::PacketType type) {
    static_cast<StackNode*>(self)->Receive(payload, proto, dst, src, type);
}

// Time steps per microsecond at the simulator's resolution (fixed before the first Time is
// made). Time::GetMicroSeconds() converts through a 128-bit division on every call; the
// adapter asks for "now" several times per frame.
static int64_t StepsPerUs() {
    static const int64_t k = MicroSeconds(1).GetTimeStep();
    return k;
}

uint64_t StackNode::NowUs() { return (uint64_t)(Simulator::Now().GetTimeStep() / StepsPerUs()); }

void StackNode::EnablePcap(const std::string& path) {
    PcapHelper helper;
    pcap_ = helper.CreateFile(path, std::ios::out, PcapHelper::DLT_EN10MB);
    capturing_ = true;
}

void StackNode::Boot() {
    Simulator::ScheduleWithContext(node_->GetId(), Seconds(0), &StackNode::Configure, this);
}

void StackNode::Configure() {
    if (cfg_.addr) {
        set_addr_result_ = seqs_stack_set_addr(stack(), cfg_.addr, cfg_.prefix_len, cfg_.gateway, 0);
        NS_ABORT_MSG_IF(set_addr_result_ != SEQS_OK, "seqs_stack_set_addr failed for "
                                                         << cfg_.name << ": " << seqs_strerror(set_addr_result_));
    }
    Kick();
}

void StackNode::AddApp(std::unique_ptr<App> app, Time start, std::string label) {
    (apps_.empty() ? first_app_ : apps_.back()->next_app_) = app.get();
    apps_.push_back(std::move(app));
    app_labels_.push_back(std::move(label));
    Simulator::ScheduleWithContext(node_->GetId(), start, &StackNode::StartApp, this, apps_.size() - 1);
}

void StackNode::StartApp(size_t i) {
    seqs_stack_poll(stack(), NowUs());
    apps_[i]->Start(*this);
    RegisterPrefetch();
    Kick();
}

void StackNode::Receive(const Packet& pkt, uint16_t proto, const uint8_t* dst, const uint8_t* src,
                        NetDevice::PacketType type) {
    if (type == NetDevice::PACKET_OTHERHOST) {
        stats_.otherhost++;
        return;
    }
    uint32_t size = pkt.GetSize();
    std::vector<uint8_t>& rxbuf = SharedRxBuf();
    if (size + kEthHdr > rxbuf.size()) rxbuf.resize(size + kEthHdr);
    uint8_t* f = rxbuf.data();
    std::memcpy(f, dst, 6);
    std::memcpy(f + 6, src, 6);
    Put16(f + 12, proto);
    pkt.CopyData(f + kEthHdr, size);
    size_t len = kEthHdr + size;
    if (capturing_) Capture(f, len);
    stats_.frames_in++;
    stats_.bytes_in += len;
    seqs_stack_input(stack(), f, len, NowUs());
    AfterStackCall();
}

void StackNode::OnTimer() {
    timer_at_ = SEQS_NEVER;
    stats_.timer_events++;
    seqs_stack_poll(stack(), NowUs());
    AfterStackCall();
}

void StackNode::AfterStackCall() {
    Flush();   // also runs due timers
    if (!in_apps_) {
        in_apps_ = true;
        for (App* a = first_app_; a; a = a->next_app_) a->OnStackEvent(*this);
        in_apps_ = false;
        Flush();   // what the apps queued
    }
    Rearm();
}

void StackNode::Kick() {
    Flush();
    Rearm();
}

void StackNode::Flush() {
    for (;;) {
        uint8_t* txbuf = SharedTxBuf();
        int n = seqs_stack_output(stack(), txbuf, SEQS_MAX_FRAME, NowUs());
        if (n <= 0) {
            NS_ABORT_MSG_IF(n < 0, "seqs_stack_output failed on " << cfg_.name << ": " << seqs_strerror(n));
            return;
        }
        size_t len = (size_t)n;
        if (len < kEthHdr) {
            stats_.tx_bad_frame++;
            continue;
        }
        if (len < kMinFrame) {   // the "driver" pads, as an Ethernet MAC does
            std::memset(txbuf + len, 0, kMinFrame - len);
            len = kMinFrame;
        }
        const uint8_t* f = txbuf;
        Mac48Address dst, src;
        dst.CopyFrom(f);
        src.CopyFrom(f + 6);
        uint16_t proto = (uint16_t)Get16(f + 12);
        Ptr<Packet> p = Create<Packet>(f + kEthHdr, (uint32_t)(len - kEthHdr));
        if (capturing_) Capture(f, len);
        if (wire_ ? wire_->SendFrame(p, dst, src, proto) : dev_->SendFrom(p, src, dst, proto)) {
            stats_.frames_out++;
            stats_.bytes_out += len;
        } else {
            stats_.tx_refused++;
        }
    }
}

void StackNode::Capture(const uint8_t* f, size_t len) {
    if (pcap_) pcap_->Write(Simulator::Now(), f, (uint32_t)len);
    if (pcapng_) pcapng_->Write(pcapng_if_, NowUs(), f, (uint32_t)len);
}

void StackNode::Rearm() {
    // timer_at_ is the deadline of the pending timer event (SEQS_NEVER when none: OnTimer
    // resets it), so the event object, allocated when the timer was armed and long out of
    // cache by now, is touched only when the deadline moved.
    uint64_t d = seqs_stack_next_deadline(stack());
    if (d == timer_at_) return;
    if (d == SEQS_NEVER) {
        timer_.Cancel();
        timer_at_ = SEQS_NEVER;
        return;
    }
    uint64_t now = NowUs();
    if (d <= now) {
        // Output was just drained, so nothing can be due now: the core reports a
        // deadline it does not honour. Retry 1 µs later rather than spin forever.
        if (!stats_.deadline_stuck++) {
            stats_.first_stuck_us = now;
            stats_.first_stuck_deadline = d;
        }
        d = now + 1;
    }
    if (timer_at_ == d) return;
    if (timer_at_ != SEQS_NEVER) timer_.Cancel();
    timer_at_ = d;
    timer_ = Simulator::Schedule(TimeStep((uint64_t)((int64_t)d * StepsPerUs() - Simulator::Now().GetTimeStep())),
                                 &StackNode::OnTimer, this);
}

nlohmann::json StackNode::Summary() const {
    nlohmann::json j;
    j["ip"] = cfg_.addr ? Ip4(cfg_.addr) + "/" + std::to_string(cfg_.prefix_len) : "";
    char mac[18];
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", cfg_.mac[0], cfg_.mac[1], cfg_.mac[2],
                  cfg_.mac[3], cfg_.mac[4], cfg_.mac[5]);
    j["mac"] = mac;
    j["adapter"] = {{"frames_in", stats_.frames_in},       {"frames_out", stats_.frames_out},
                    {"bytes_in", stats_.bytes_in},         {"bytes_out", stats_.bytes_out},
                    {"tx_refused", stats_.tx_refused},     {"tx_bad_frame", stats_.tx_bad_frame},
                    {"otherhost", stats_.otherhost},       {"timer_events", stats_.timer_events},
                    {"deadline_stuck", stats_.deadline_stuck}};
    if (stats_.deadline_stuck) {
        j["adapter_first_stuck"] = {{"at_us", stats_.first_stuck_us}, {"deadline_us", stats_.first_stuck_deadline}};
    }
    nlohmann::json c = nlohmann::json::object();
    for (unsigned i = 0; i < SEQS_COUNTER_COUNT; i++) {
        const char* n = seqs_counter_name(i);
        if (n) c[n] = seqs_counter_value(stack(), i);
    }
    j["counters"] = c;
    nlohmann::json apps = nlohmann::json::array();
    for (size_t i = 0; i < apps_.size(); i++) {
        nlohmann::json r = apps_[i]->Results();
        r["type"] = apps_[i]->Type();
        if (!app_labels_[i].empty()) r["label"] = app_labels_[i];
        apps.push_back(r);
    }
    j["apps"] = apps;
    return j;
}

// --- UdpEchoServer ----------------------------------------------------------------

void UdpEchoServer::Start(StackNode& node) {
    rxring_.assign(rxbuf_, 0);
    seqs_stack_t* s = node.stack();
    open_error_ = seqs_udp_open(s, &sock_, rxring_.data(), rxring_.size());
    if (open_error_ == SEQS_OK) open_error_ = seqs_udp_bind(s, sock_, 0, port_);
    if (open_error_ != SEQS_OK) sock_ = 0;
}

void UdpEchoServer::OnStackEvent(StackNode& node) {
    if (!sock_) return;
    seqs_stack_t* s = node.stack();
    static uint8_t buf[65536];   // shared by every echo server: the datagram is sent back at once
    for (;;) {
        seqs_udp_meta_t meta;
        int n = seqs_udp_recvfrom(s, sock_, buf, sizeof buf, &meta);
        if (n < 0) break;
        if (meta.truncated) truncated_++;
        seqs_udp_meta_t out{};
        out.remote_addr = meta.remote_addr;
        out.remote_port = meta.remote_port;
        out.local_addr = meta.local_addr;
        out.local_port = meta.local_port;
        int rc = seqs_udp_sendmsg(s, sock_, buf, (size_t)n, &out);
        if (rc < 0) send_errors_++;
        else echoed_++;
    }
}

nlohmann::json UdpEchoServer::Results() const {
    nlohmann::json j = {{"port", port_}, {"rxbuf", rxbuf_}, {"echoed", echoed_}, {"truncated", truncated_}, {"send_errors", send_errors_}};
    if (open_error_) j["open_error"] = seqs_strerror(open_error_);
    return j;
}

// --- PingApp ----------------------------------------------------------------------

void PingApp::Start(StackNode& node) {
    flows_.clear();
    for (auto& t : targets_) {
        Flow f;
        f.addr = t.addr;
        f.target = t;
        f.marks.assign(2 * (((size_t)p_.count + 63) / 64), 0);
        flows_.push_back(std::move(f));
    }
    open_error_ = Open(node);
    if (open_error_ != SEQS_OK) return;
    for (size_t i = 0; i < flows_.size(); i++) {
        Time jitter = MicroSeconds((int64_t)node.rng()->GetInteger(0, (uint32_t)p_.interval.GetMicroSeconds()));
        Simulator::Schedule(jitter, &PingApp::SendNext, this, &node, i);
    }
}

void PingApp::SendNext(StackNode* node, size_t fi) {
    Flow& f = flows_[fi];
    if (f.next_seq >= p_.count) return;
    uint32_t seq = f.next_seq++;
    uint64_t now = StackNode::NowUs();
    if (seq == 0) f.first_step = Simulator::Now().GetTimeStep();
    seqs_stack_poll(node->stack(), now);
    int rc = SendProbe(*node, fi, seq);
    f.sent++;
    if (rc < 0) {
        f.send_errors++;
        if (std::find(f.errors.begin(), f.errors.end(), rc) == f.errors.end()) f.errors.push_back(rc);
    } else {
        f.SetSent(seq);
    }
    node->Kick();
    if (f.next_seq < p_.count) Simulator::Schedule(p_.interval, &PingApp::SendNext, this, node, fi);
}

uint64_t PingApp::SentAtUs(const Flow& f, uint32_t q) const {
    return (uint64_t)((f.first_step + (int64_t)q * p_.interval.GetTimeStep()) / StepsPerUs());
}

void PingApp::PrefetchRanges(const StackNode&, std::vector<PrefetchRegistry::Range>& out) const {
    // Two lines: IcmpPing's own fields fall in PingApp's tail padding (UdpPing's, past it,
    // are not prefetched).
    out.push_back({this, (uint32_t)sizeof *this});
    // The first flows (their hot part) and their probe marks.
    for (size_t i = 0; i < flows_.size() && i < 2; i++) {
        const Flow& f = flows_[i];
        out.push_back({&f, (uint32_t)(reinterpret_cast<const char*>(&f.errors) - reinterpret_cast<const char*>(&f))});
        out.push_back({f.marks.data(), (uint32_t)std::min<size_t>(f.marks.size() * 8, 128)});
    }
}

void PingApp::SampleFlows(const std::string& node, std::vector<FlowSample>& out) const {
    uint64_t now = StackNode::NowUs(), timeout = (uint64_t)p_.timeout.GetMicroSeconds();
    for (auto& f : flows_) {
        FlowSample s;
        s.flow = node + ">" + f.target.name + " " + Type();
        s.bytes = (double)f.received * p_.size;
        s.rtt_sum_us = (double)f.rtt_sum;
        s.rtt_n = (double)f.received;
        // Given up: sent more than a timeout ago and not answered in time.
        double lost = 0;
        for (uint32_t q = 0; q < f.next_seq; q++)
            if (f.Sent(q) && !f.Got(q) && SentAtUs(f, q) + timeout < now) lost++;
        s.lost = lost + (double)f.late;
        out.push_back(s);
    }
}

void PingApp::OnReply(size_t fi, uint32_t seq, bool intact, uint64_t rx_us, int ttl) {
    if (fi >= flows_.size() || seq >= p_.count) {
        stray_++;
        return;
    }
    Flow& f = flows_[fi];
    if (ttl >= 0 && ttl < 256) f.ttls[ttl >> 6] |= 1ull << (ttl & 63);
    if (!intact || !f.Sent(seq)) {
        f.bad++;
        return;
    }
    if (f.Got(seq)) {
        f.dup++;
        return;
    }
    f.SetGot(seq);
    uint64_t rtt = rx_us - SentAtUs(f, seq);
    if (rtt > (uint64_t)p_.timeout.GetMicroSeconds()) {
        f.late++;
        return;
    }
    f.received++;
    f.rtt_sum += rtt;
    f.rtt_min = std::min(f.rtt_min, rtt);
    f.rtt_max = std::max(f.rtt_max, rtt);
}

nlohmann::json PingApp::Results() const {
    nlohmann::json flows = nlohmann::json::array();
    for (auto& f : flows_) {
        nlohmann::json j = {{"target", f.target.name},
                            {"target_ip", Ip4(f.target.addr)},
                            {"sent", f.sent},
                            {"received", f.received},
                            {"lost", f.sent - f.received},
                            {"late", f.late},
                            {"dup", f.dup},
                            {"bad", f.bad},
                            {"send_errors", f.send_errors},
                            {"success_ratio", f.sent ? (double)f.received / (double)f.sent : 0.0}};
        if (f.received)
            j["rtt_us"] = {{"min", f.rtt_min}, {"avg", f.rtt_sum / f.received}, {"max", f.rtt_max}};
        nlohmann::json errs = nlohmann::json::array();
        for (int e : f.errors) errs.push_back(seqs_strerror(e));
        j["send_error_kinds"] = errs;
        nlohmann::json lost = nlohmann::json::array();
        for (uint32_t q = 0; q < f.next_seq; q++)
            if (!f.Got(q)) lost.push_back(q);
        j["lost_seqs"] = lost;   // sent and never answered (late replies are not listed)
        std::vector<int> ttls;   // ascending
        for (int t = 0; t < 256; t++)
            if (f.ttls[t >> 6] >> (t & 63) & 1) ttls.push_back(t);
        if (!ttls.empty()) j["reply_ttls"] = ttls;
        flows.push_back(j);
    }
    nlohmann::json j = {{"count", p_.count},
                        {"interval_us", p_.interval.GetMicroSeconds()},
                        {"timeout_us", p_.timeout.GetMicroSeconds()},
                        {"size", p_.size},
                        {"stray", stray_},
                        {"flows", flows}};
    if (Type() == "udp-ping") j["port"] = p_.port;
    if (open_error_) j["open_error"] = seqs_strerror(open_error_);
    return j;
}

// --- UdpPing ----------------------------------------------------------------------

namespace {
constexpr uint32_t kPingMagic = 0x53515047;   // "SQPG"
constexpr size_t kPingHdr = 10;               // magic(4) flow(2) seq(4)
uint8_t PatternByte(size_t i, uint32_t seq) { return (uint8_t)(i + seq); }
}  // namespace

int UdpPing::Open(StackNode& node) {
    if (p_.size < kPingHdr) p_.size = kPingHdr;
    // The app drains its socket after every frame, so a few replies of room is plenty.
    rxring_.assign(std::max<size_t>(4096, 4 * ((size_t)p_.size + 64)), 0);
    seqs_stack_t* s = node.stack();
    int rc = seqs_udp_open(s, &sock_, rxring_.data(), rxring_.size());
    if (rc == SEQS_OK) rc = seqs_udp_bind(s, sock_, 0, 0);
    if (rc != SEQS_OK) sock_ = 0;
    return rc;
}

int UdpPing::SendProbe(StackNode& node, size_t fi, uint32_t seq) {
    std::vector<uint8_t> payload(p_.size);
    for (size_t i = kPingHdr; i < payload.size(); i++) payload[i] = PatternByte(i, seq);
    Put32(payload.data(), kPingMagic);
    Put16(payload.data() + 4, (uint32_t)fi);
    Put32(payload.data() + 6, seq);
    return seqs_udp_sendto(node.stack(), sock_, payload.data(), payload.size(), TargetAddr(fi), p_.port);
}

void UdpPing::OnStackEvent(StackNode& node) {
    if (!sock_) return;
    seqs_stack_t* s = node.stack();
    buf_.resize((size_t)p_.size + 1);   // one spare byte: a longer reply is not intact
    uint8_t* buf = buf_.data();
    for (;;) {
        seqs_udp_meta_t meta;
        int n = seqs_udp_recvfrom(s, sock_, buf, buf_.size(), &meta);
        if (n < 0) break;
        if ((size_t)n < kPingHdr || Get32(buf) != kPingMagic) {
            Stray();
            continue;
        }
        size_t fi = Get16(buf + 4);
        uint32_t seq = Get32(buf + 6);
        bool intact = fi < targets_.size() && (size_t)n == p_.size && !meta.truncated &&
                      meta.remote_addr == TargetAddr(fi) && meta.remote_port == p_.port;
        for (size_t i = kPingHdr; intact && i < (size_t)n; i++) intact = buf[i] == PatternByte(i, seq);
        OnReply(fi, seq, intact, StackNode::NowUs());
    }
}

// --- IcmpPing ---------------------------------------------------------------------

int IcmpPing::Open(StackNode& node) {
    if (p_.count > 65536) return SEQS_ERR_INVAL;   // the sequence number is 16 bits
    id_base_ = (uint16_t)node.rng()->GetInteger(0, 0xFFFF);
    open_ = true;
    return SEQS_OK;
}

int IcmpPing::SendProbe(StackNode& node, size_t fi, uint32_t seq) {
    std::vector<uint8_t> data(p_.size);
    for (size_t i = 0; i < data.size(); i++) data[i] = PatternByte(i, seq);
    return seqs_icmp_echo_send(node.stack(), TargetAddr(fi), (uint16_t)(id_base_ + fi), (uint16_t)seq,
                               data.data(), data.size());
}

void IcmpPing::OnStackEvent(StackNode& node) {
    if (!open_) return;
    seqs_icmp_echo_t r;
    while (seqs_icmp_echo_recv(node.stack(), &r) == SEQS_OK) {
        size_t fi = (uint16_t)(r.id - id_base_);
        if (fi >= targets_.size()) {
            Stray();
            continue;
        }
        // The core reports the reply's length, not its bytes: intact = right peer, right size.
        bool intact = r.from == TargetAddr(fi) && r.len == p_.size;
        OnReply(fi, r.seq, intact, r.rx_us, r.ttl);
    }
    // The slot of the ring the stack records the next echo reply in.
    const seqs_stack_t* s = node.stack();
    node.SetPrefetchMoving(&s->echo[(s->echo_head + s->echo_count) % SEQS_ICMP_ECHO_RING], sizeof s->echo[0]);
}

// --- TcpSink ----------------------------------------------------------------------

void TcpSink::Start(StackNode& node) {
    const size_t txsz = 512;   // the sink never writes
    pool_.assign((size_t)max_conns_ * (rxbuf_ + txsz), 0);
    buf_.resize(4096);
    open_error_ = seqs_tcp_listen(node.stack(), &listener_, port_, backlog_, pool_.data(), pool_.size(), rxbuf_,
                                  txsz);
    if (open_error_ != SEQS_OK) listener_ = 0;
}

void TcpSink::OnStackEvent(StackNode& node) {
    if (!listener_) return;
    seqs_stack_t* s = node.stack();
    uint64_t now = StackNode::NowUs();
    seqs_tcp_t h;
    while (seqs_tcp_accept(s, listener_, &h) == SEQS_OK) {
        Conn c;
        c.h = h;
        c.accepted_us = now;
        seqs_tcp_info_t info;
        if (seqs_tcp_info(s, h, &info) == SEQS_OK) c.remote = info.remote_addr;
        conns_.push_back(c);
    }
    for (auto& c : conns_) {
        while (!c.done) {
            int n = seqs_tcp_read(s, c.h, buf_.data(), buf_.size());
            if (n == SEQS_ERR_AGAIN) break;
            if (n < 0) {   // reset, timed out...
                c.error = n;
                c.done = true;
                break;
            }
            if (n == 0) {   // the sender's FIN: the whole stream is in
                c.eof_us = now;
                c.done = true;
                seqs_tcp_close(s, c.h);
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf_[(size_t)i] != (zeros_ ? 0 : TcpPatternByte(c.bytes + (uint64_t)i))) {
                    if (c.first_bad < 0) c.first_bad = (int64_t)(c.bytes + (uint64_t)i);
                    c.bad_bytes++;
                }
            }
            c.bytes += (uint64_t)n;
        }
    }
}

nlohmann::json TcpSink::Results() const {
    nlohmann::json conns = nlohmann::json::array();
    for (auto& c : conns_) {
        nlohmann::json j = {{"remote_ip", Ip4(c.remote)}, {"bytes", c.bytes},         {"eof", c.eof_us != 0},
                            {"bad_bytes", c.bad_bytes},   {"accepted_us", c.accepted_us}, {"eof_us", c.eof_us}};
        if (c.first_bad >= 0) j["first_bad_offset"] = c.first_bad;
        if (c.error) j["error"] = seqs_strerror(c.error);
        conns.push_back(j);
    }
    nlohmann::json j = {{"port", port_},       {"rxbuf", rxbuf_},
                        {"max_conns", max_conns_}, {"backlog", backlog_},
                        {"pattern", zeros_ ? "zeros" : "seqs"}, {"connections", conns}};
    if (open_error_) j["open_error"] = seqs_strerror(open_error_);
    return j;
}

// --- TcpBulk ----------------------------------------------------------------------

void TcpBulk::Start(StackNode& node) {
    first_start_us_ = StackNode::NowUs();
    Connect(&node);
}

void TcpBulk::Connect(StackNode* node) {
    bufs_.emplace_back(txbuf_ + rxbuf_, 0);
    uint8_t* base = bufs_.back().data();
    h_ = 0;
    error_ = 0;
    written_ = connected_us_ = done_us_ = 0;
    connected_ = shut_ = done_ = false;
    have_info_ = false;
    active_ = true;
    rounds_started_++;
    start_us_ = StackNode::NowUs();
    seqs_stack_poll(node->stack(), start_us_);
    error_ = seqs_tcp_connect(node->stack(), &h_, target_.addr, port_, 0, base + txbuf_, rxbuf_, base, txbuf_);
    if (error_ != SEQS_OK) {
        h_ = 0;
        EndRound(*node, start_us_);
    }
    node->Kick();
}

// Records the round (done or failed) and schedules the next one.
void TcpBulk::EndRound(StackNode& node, uint64_t now) {
    active_ = false;
    if (error_) {
        round_errors_.push_back(seqs_strerror(error_));
    } else {
        rounds_done_++;
        last_done_us_ = now;
        round_us_.push_back(now - start_us_);
    }
    if (have_info_) {
        retransmits_ += info_.retransmits;
        rto_expirations_ += info_.rto_expirations;
        acked_done_ += info_.bytes_out;
    }
    if (rounds_started_ < repeat_) Simulator::Schedule(gap_, &TcpBulk::Connect, this, &node);
}

void TcpBulk::OnStackEvent(StackNode& node) {
    if (!active_ || !h_) return;
    seqs_stack_t* s = node.stack();
    uint64_t now = StackNode::NowUs();
    seqs_tcp_info_t info;
    if (seqs_tcp_info(s, h_, &info) == SEQS_OK) {
        info_ = info;
        have_info_ = true;
    }
    int st = seqs_tcp_state(s, h_);
    int err = st < 0 ? st : seqs_tcp_error(s, h_);
    if (err) {
        error_ = err;
        EndRound(node, now);
        return;
    }
    if (st == SEQS_TCP_SYN_SENT || st == SEQS_TCP_SYN_RECEIVED) return;
    if (!connected_) {
        connected_ = true;
        connected_us_ = now;
    }
    uint8_t chunk[4096];
    while (written_ < bytes_) {
        size_t n = (size_t)std::min<uint64_t>(sizeof chunk, bytes_ - written_);
        for (size_t i = 0; i < n; i++) chunk[i] = TcpPatternByte(written_ + i);
        int w = seqs_tcp_write(s, h_, chunk, n);
        if (w == SEQS_ERR_AGAIN || w == 0) break;
        if (w < 0) {
            error_ = w;
            EndRound(node, now);
            return;
        }
        written_ += (uint64_t)w;
    }
    if (written_ == bytes_ && !shut_) {
        int rc = seqs_tcp_shutdown(s, h_);
        if (rc < 0) {
            error_ = rc;
            EndRound(node, now);
            return;
        }
        shut_ = true;
        st = seqs_tcp_state(s, h_);
    }
    // Our FIN is acknowledged only after every byte before it: the transfer is complete.
    if (shut_ && (st == SEQS_TCP_FIN_WAIT_2 || st == SEQS_TCP_TIME_WAIT || st == SEQS_TCP_CLOSED)) {
        done_ = true;
        done_us_ = now;
        if (seqs_tcp_info(s, h_, &info) == SEQS_OK) info_ = info;
        seqs_tcp_close(s, h_);
        EndRound(node, now);
    }
}

void TcpBulk::SampleFlows(const std::string& node, std::vector<FlowSample>& out) const {
    FlowSample s;
    s.flow = node + ">" + target_.name + " tcp-bulk";
    s.bytes = (double)acked_done_ + (active_ && have_info_ ? (double)info_.bytes_out : 0.0);
    if (active_ && have_info_ && info_.srtt_us) s.srtt_us = info_.srtt_us;
    out.push_back(s);
}

nlohmann::json TcpBulk::Results() const {
    bool all_done = rounds_done_ == repeat_;
    nlohmann::json j = {{"target", target_.name},      {"target_ip", Ip4(target_.addr)}, {"port", port_},
                        {"bytes", bytes_},             {"written", written_},           {"connected", connected_},
                        {"done", all_done},            {"start_us", start_us_},         {"connected_us", connected_us_},
                        {"done_us", done_us_}};
    // Goodput over all rounds (gaps included when repeat > 1).
    if (all_done && last_done_us_ > first_start_us_)
        j["goodput_bps"] = (double)bytes_ * repeat_ * 8.0 * 1e6 / (double)(last_done_us_ - first_start_us_);
    if (!round_errors_.empty()) j["error"] = round_errors_.back();
    else if (error_) j["error"] = seqs_strerror(error_);
    if (repeat_ > 1) {
        nlohmann::json r = {{"repeat", repeat_}, {"started", rounds_started_}, {"done", rounds_done_},
                            {"errors", round_errors_}, {"retransmits", retransmits_},
                            {"rto_expirations", rto_expirations_}};
        if (!round_us_.empty()) {
            uint64_t mn = UINT64_MAX, mx = 0, sum = 0;
            for (uint64_t u : round_us_) {
                mn = std::min(mn, u);
                mx = std::max(mx, u);
                sum += u;
            }
            r["round_us"] = {{"min", mn}, {"avg", sum / round_us_.size()}, {"max", mx}};
        }
        j["rounds"] = r;
    }
    if (have_info_) {
        j["info"] = {{"state", seqs_tcp_state_name(info_.state)},
                     {"snd_mss", info_.snd_mss},
                     {"sack", info_.sack},
                     {"wscale", info_.wscale},
                     {"tstamp", info_.tstamp},
                     {"srtt_us", info_.srtt_us},
                     {"rto_us", info_.rto_us},
                     {"cwnd", info_.cwnd},
                     {"ssthresh", info_.ssthresh},
                     {"segs_out", info_.segs_out},
                     {"segs_in", info_.segs_in},
                     {"retransmits", info_.retransmits},
                     {"rto_expirations", info_.rto_expirations},
                     {"fast_retransmits", info_.fast_retransmits},
                     {"dup_acks_in", info_.dup_acks_in}};
    }
    return j;
}

}  // namespace seqs_sim

/* SPDX-License-Identifier: BSD-3-Clause */
// sim/wire.cc — see wire.h.
#include "wire.h"

#include <algorithm>

#include "ns3/abort.h"
#include "ns3/simulator.h"

namespace seqs_sim {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(WireChannel);
NS_OBJECT_ENSURE_REGISTERED(WireDevice);

TypeId WireChannel::GetTypeId() {
    static TypeId tid = TypeId("seqs_sim::WireChannel").SetParent<Channel>().SetGroupName("seqs");
    return tid;
}

Ptr<NetDevice> WireChannel::GetDevice(std::size_t i) const {
    NS_ABORT_MSG_IF(i > 1, "WireChannel::GetDevice(" << i << "): a wire has two ends");
    return end_[i];
}

void WireChannel::DoDispose() {
    end_[0] = nullptr;
    end_[1] = nullptr;
    Channel::DoDispose();
}

TypeId WireDevice::GetTypeId() {
    static TypeId tid = TypeId("seqs_sim::WireDevice").SetParent<NetDevice>().SetGroupName("seqs");
    return tid;
}

std::pair<Ptr<WireDevice>, Ptr<WireDevice>> WireDevice::Connect(Ptr<Node> a, Ptr<Node> b, const WireParams& p) {
    NS_ABORT_MSG_IF(p.queue == 0, "WireDevice::Connect: a queue holds at least one frame");
    static_assert(sizeof(WireDevice) >= WireDevice::kHotBytes, "kHotBytes beyond the object");
    auto ch = CreateObject<WireChannel>();
    Ptr<WireDevice> d[2] = {CreateObject<WireDevice>(), CreateObject<WireDevice>()};
    Ptr<Node> n[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        d[i]->SetAddress(Mac48Address::Allocate());
        d[i]->rate_ = p.rate;
        d[i]->delay_ = p.delay;
        d[i]->cap_ = p.queue;
        d[i]->channel_ = ch;
        n[i]->AddDevice(d[i]);   // sets the device's node and interface index
        ch->end_[i] = d[i];
    }
    // What PrefetchRegistry is told to warm must hold the hot fields (the layout depends on
    // ns-3's NetDevice base).
    const char* base = reinterpret_cast<const char*>(PeekPointer(d[0]));
    const char* hot_end = reinterpret_cast<const char*>(&d[0]->addr_ + 1);
    NS_ABORT_MSG_IF(hot_end - base > (std::ptrdiff_t)kHotBytes,
                    "WireDevice: hot fields end at byte " << hot_end - base << ", past kHotBytes");
    for (int i = 0; i < 2; i++) {
        d[i]->peer_ = PeekPointer(d[1 - i]);
        d[i]->peer_node_id_ = n[1 - i]->GetId();
        d[i]->link_change_();
    }
    return {d[0], d[1]};
}

Ptr<Channel> WireDevice::GetChannel() const { return channel_; }

void WireDevice::DoDispose() {
    peer_ = nullptr;
    sending_ = Frame();
    ring_.clear();
    em_ = nullptr;
    node_ = nullptr;
    channel_ = nullptr;
    rx_cb_ = MakeNullCallback<bool, Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&>();
    promisc_cb_ = MakeNullCallback<bool, Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&,
                                   const Address&, PacketType>();
    NetDevice::DoDispose();
}

bool WireDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t proto) {
    return Enqueue(packet, Mac48Address::ConvertFrom(dest), addr_, proto);
}

bool WireDevice::SendFrom(Ptr<Packet> packet, const Address& source, const Address& dest, uint16_t proto) {
    return Enqueue(packet, Mac48Address::ConvertFrom(dest), Mac48Address::ConvertFrom(source), proto);
}

Time WireDevice::TxTime(uint32_t bytes) {
    if (bytes != last_tx_bytes_) {   // the conversion to Time divides 128-bit numbers: keep the last
        last_tx_bytes_ = bytes;
        last_tx_time_ = rate_.GetBitRate() ? rate_.CalculateBytesTxTime(bytes) : Time(0);
    }
    return last_tx_time_;
}

bool WireDevice::Enqueue(Ptr<Packet> p, const Mac48Address& dst, const Mac48Address& src, uint16_t proto) {
    if (!peer_ || p->GetSize() > mtu_) return false;
    if (!sending_.p) {   // an idle wire has an empty queue: the frame goes out now
        sending_.p = p;
        sending_.dst = dst;
        sending_.src = src;
        sending_.proto = proto;
        Transmit();
        return true;
    }
    if (n_ == cap_) {
        if (queue_drops_) {
            queue_drops_->total++;
            if (dst.IsBroadcast()) queue_drops_->broadcast++;
        }
        return false;
    }
    if (n_ == ring_.size()) {   // grow: the frames in order, then room for as many again
        std::vector<Frame> bigger(std::min<std::size_t>(std::max<std::size_t>(2 * ring_.size(), 2), cap_));
        for (uint32_t i = 0; i < n_; i++) bigger[i] = ring_[(head_ + i) % ring_.size()];
        ring_.swap(bigger);
        head_ = 0;
    }
    Frame& f = ring_[(head_ + n_) % ring_.size()];
    f.p = p;
    f.dst = dst;
    f.src = src;
    f.proto = proto;
    n_++;
    return true;
}

void WireDevice::Transmit() {
    Simulator::Schedule(TxTime(sending_.p->GetSize()), &WireDevice::FinishTransmission, this);
}

void WireDevice::FinishTransmission() {
    // ns3::Ptr has no move: each hand-over below drops the old holder's reference by hand,
    // or the packet would stay alive (and be freed cold) until the slot is next used.
    Ptr<Packet> p = sending_.p;
    sending_.p = nullptr;
    // The receiver gets a packet of its own (SimpleChannel copies): without a copy when
    // nothing else holds this one.
    if (p->GetReferenceCount() != 1) p = p->Copy();
    Simulator::ScheduleWithContext(peer_node_id_, delay_, &WireDevice::Receive, peer_, p, sending_.proto,
                                   sending_.dst, sending_.src);
    if (n_) {   // the next waiting frame
        sending_ = ring_[head_];
        ring_[head_].p = nullptr;
        head_ = (head_ + 1) % (uint32_t)ring_.size();
        n_--;
        Transmit();
    }
}

void WireDevice::Receive(Ptr<Packet> p, uint16_t proto, Mac48Address dst, Mac48Address src) {
    if (em_ && em_->IsCorrupt(p)) {
        if (rx_dropped_) (*rx_dropped_)++;
        return;
    }
    PacketType type = dst == addr_        ? PACKET_HOST
                      : dst.IsBroadcast() ? PACKET_BROADCAST
                      : dst.IsGroup()     ? PACKET_MULTICAST
                                          : PACKET_OTHERHOST;
    if (sink_) {
        uint8_t d[6], s[6];
        dst.CopyTo(d);
        src.CopyTo(s);
        sink_(sink_ctx_, *p, proto, d, s, type);
        return;
    }
    if (type != PACKET_OTHERHOST && !rx_cb_.IsNull()) rx_cb_(this, p, proto, src);
    if (!promisc_cb_.IsNull()) promisc_cb_(this, p, proto, src, dst, type);
}

}  // namespace seqs_sim

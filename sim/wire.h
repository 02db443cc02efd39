/* SPDX-License-Identifier: BSD-3-Clause */
// sim/wire.h — a point-to-point Ethernet link built for runs of many nodes: one object per
// link end.
//
// It behaves as ns-3's SimpleNetDevice + DropTailQueue + SimpleChannel with flow control off
// (which seqs-sim used before), event for event: a frame waits in a drop-tail queue of at
// most `queue` frames, occupies the sender for size x 8 / rate (the Ethernet header is not
// counted, as SimpleNetDevice does not), then arrives `delay` later at the peer, where an
// optional receive error model may drop it. The same frames and the same events at the same
// times, so a scenario's run is the same frame for frame.
//
// What it leaves out is what made each frame touch a dozen objects: no queue object with
// trace sources, no channel in the path (the peer is a pointer), no packet tag to carry the
// addresses (they travel beside the packet), no callback objects for a host stack (a plain
// function pointer; ns-3's receive callbacks still work for bridges and ns-3's own stack).
// Drops are counted into plain counters given by the caller.
#ifndef SEQS_SIM_WIRE_H
#define SEQS_SIM_WIRE_H

#include <cstdint>
#include <utility>
#include <vector>

#include "ns3/channel.h"
#include "ns3/data-rate.h"
#include "ns3/error-model.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/node.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

namespace seqs_sim {

// Frames a transmit queue dropped because it was full.
struct QueueDrops {
    uint64_t total = 0;
    uint64_t broadcast = 0;   // of which frames to ff:ff:ff:ff:ff:ff (ARP requests, announcements)
};

struct WireParams {
    ns3::DataRate rate = ns3::DataRate(0);   // 0: no serialization delay
    ns3::Time delay = ns3::Time(0);
    uint32_t queue = 100;                    // frames waiting per direction (drop-tail)
};

class WireDevice;

// The link's two ends, for NetDevice::GetChannel(); frames do not pass through it.
class WireChannel : public ns3::Channel {
  public:
    static ns3::TypeId GetTypeId();
    std::size_t GetNDevices() const override { return 2; }
    ns3::Ptr<ns3::NetDevice> GetDevice(std::size_t i) const override;

  private:
    friend class WireDevice;
    void DoDispose() override;
    ns3::Ptr<WireDevice> end_[2];
};

class alignas(64) WireDevice : public ns3::NetDevice {   // line-aligned: its hot fields are prefetched
  public:
    // A host stack's receive hook: the frame's payload (after the Ethernet header), its
    // EtherType and addresses.
    using FrameSink = void (*)(void* ctx, const ns3::Packet& payload, uint16_t proto, const uint8_t* dst,
                               const uint8_t* src, ns3::NetDevice::PacketType type);

    static ns3::TypeId GetTypeId();
    WireDevice() = default;

    // Creates a device on a and one on b and joins them.
    static std::pair<ns3::Ptr<WireDevice>, ns3::Ptr<WireDevice>> Connect(ns3::Ptr<ns3::Node> a,
                                                                       ns3::Ptr<ns3::Node> b,
                                                                       const WireParams& p);

    // Frames to this device go to fn (instead of the receive and promiscuous callbacks).
    void SetFrameSink(FrameSink fn, void* ctx) {
        sink_ = fn;
        sink_ctx_ = ctx;
    }
    // Queues payload behind an Ethernet header dst/src/proto; false if the queue is full or
    // the payload exceeds the MTU (the frame is dropped and counted).
    bool SendFrame(ns3::Ptr<ns3::Packet> payload, const ns3::Mac48Address& dst, const ns3::Mac48Address& src,
                   uint16_t proto) {
        return Enqueue(payload, dst, src, proto);
    }
    void SetReceiveErrorModel(ns3::Ptr<ns3::ErrorModel> em) { em_ = em; }
    // Frames the receive error model dropped are added to *rx_dropped, frames this end's
    // full queue dropped to *queue (either may be null).
    void CountDropsInto(uint64_t* rx_dropped, QueueDrops* queue) {
        rx_dropped_ = rx_dropped;
        queue_drops_ = queue;
    }
    // The fields a frame sent or received reads lie within the object's first kHotBytes.
    static constexpr uint32_t kHotBytes = 128;

    // ns3::NetDevice
    void SetIfIndex(uint32_t index) override { if_index_ = index; }
    uint32_t GetIfIndex() const override { return if_index_; }
    ns3::Ptr<ns3::Channel> GetChannel() const override;
    void SetAddress(ns3::Address address) override { addr_ = ns3::Mac48Address::ConvertFrom(address); }
    ns3::Address GetAddress() const override { return addr_; }
    bool SetMtu(uint16_t mtu) override {
        mtu_ = mtu;
        return true;
    }
    uint16_t GetMtu() const override { return mtu_; }
    bool IsLinkUp() const override { return peer_ != nullptr; }
    void AddLinkChangeCallback(ns3::Callback<void> callback) override { link_change_.ConnectWithoutContext(callback); }
    bool IsBroadcast() const override { return true; }
    ns3::Address GetBroadcast() const override { return ns3::Mac48Address::GetBroadcast(); }
    bool IsMulticast() const override { return true; }
    ns3::Address GetMulticast(ns3::Ipv4Address group) const override { return ns3::Mac48Address::GetMulticast(group); }
    ns3::Address GetMulticast(ns3::Ipv6Address addr) const override { return ns3::Mac48Address::GetMulticast(addr); }
    bool IsBridge() const override { return false; }
    bool IsPointToPoint() const override { return false; }   // Ethernet framing, ARP: like a cable
    bool Send(ns3::Ptr<ns3::Packet> packet, const ns3::Address& dest, uint16_t proto) override;
    bool SendFrom(ns3::Ptr<ns3::Packet> packet, const ns3::Address& source, const ns3::Address& dest,
                  uint16_t proto) override;
    ns3::Ptr<ns3::Node> GetNode() const override { return node_; }
    void SetNode(ns3::Ptr<ns3::Node> node) override { node_ = node; }
    bool NeedsArp() const override { return true; }
    void SetReceiveCallback(ns3::NetDevice::ReceiveCallback cb) override { rx_cb_ = cb; }
    void SetPromiscReceiveCallback(ns3::NetDevice::PromiscReceiveCallback cb) override { promisc_cb_ = cb; }
    bool SupportsSendFrom() const override { return true; }

  private:
    // A frame and the Ethernet header it travels with.
    struct Frame {
        ns3::Ptr<ns3::Packet> p;
        ns3::Mac48Address dst, src;
        uint16_t proto = 0;
    };
    void DoDispose() override;
    bool Enqueue(ns3::Ptr<ns3::Packet> p, const ns3::Mac48Address& dst, const ns3::Mac48Address& src,
                 uint16_t proto);
    void Transmit();   // sends sending_
    void FinishTransmission();
    void Receive(ns3::Ptr<ns3::Packet> p, uint16_t proto, ns3::Mac48Address dst, ns3::Mac48Address src);
    ns3::Time TxTime(uint32_t bytes);

    // Hot: what every frame sent or received reads (ordered so that no padding pushes it
    // past kHotBytes).
    WireDevice* peer_ = nullptr;
    FrameSink sink_ = nullptr;
    void* sink_ctx_ = nullptr;
    ns3::Time delay_;
    ns3::Time last_tx_time_;
    ns3::Ptr<ns3::ErrorModel> em_;
    Frame sending_;                      // the frame on the wire (a FinishTransmission is scheduled) or none
    uint32_t peer_node_id_ = 0;
    uint32_t last_tx_bytes_ = UINT32_MAX;   // the serialization time of the last frame's size
    uint32_t n_ = 0, cap_ = 100;         // frames waiting in ring_, and at most
    uint16_t mtu_ = 0xffff;
    ns3::Mac48Address addr_;
    // Cold (the drop counters when a frame is dropped, the ring only when frames have to
    // wait, the rate when a frame's size differs from the last one's).
    uint64_t* rx_dropped_ = nullptr;
    QueueDrops* queue_drops_ = nullptr;
    // The frames waiting behind sending_: a ring that grows (doubling) up to cap_ frames,
    // allocated when a frame first has to wait (an idle wire sends without it).
    std::vector<Frame> ring_;
    uint32_t head_ = 0;
    ns3::DataRate rate_;
    ns3::Ptr<ns3::Node> node_;
    ns3::Ptr<WireChannel> channel_;
    uint32_t if_index_ = 0;
    ns3::NetDevice::ReceiveCallback rx_cb_;
    ns3::NetDevice::PromiscReceiveCallback promisc_cb_;
    ns3::TracedCallback<> link_change_;
};

}  // namespace seqs_sim

#endif

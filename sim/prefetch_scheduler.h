/* SPDX-License-Identifier: BSD-3-Clause */
// sim/prefetch_scheduler.h — an ns-3 event scheduler that warms the next event's node.
//
// At 10,000 nodes a node's state is cold every time its turn comes: its ping timer fired
// 50 ms of simulated time (all other nodes) ago, and the frame it receives was sent by a
// node whose state was cold too. Each event then waits on tens of cache misses in a row.
// This scheduler keeps the pending events in a 4-ary heap ordered exactly as ns-3's own
// schedulers order them (time stamp, then uid: the run is the same event for event), and
// when it hands out an event it looks at the one after it: if that event's context (the
// ns-3 node id) has not run recently, it issues prefetches for the memory the node's
// registered ranges name (the StackNode, the hot part of its seqs stack, its ns-3 node,
// device, queue and channel, its apps), so the loads overlap the current event's work.
// Prefetching is only a hint: results do not depend on it.
#ifndef SEQS_SIM_PREFETCH_SCHEDULER_H
#define SEQS_SIM_PREFETCH_SCHEDULER_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ns3/scheduler.h"

namespace seqs_sim {

// The memory one context (ns-3 node id) touches when its events run.
class PrefetchRegistry {
  public:
    struct Range {
        const void* p;
        uint32_t bytes;
    };
    static PrefetchRegistry& Get();
    // Replaces the ranges of a context.
    void Set(uint32_t context, const std::vector<Range>& ranges);
    // Issues the prefetches for `context` unless it ran within the last few events.
    void Warm(uint32_t context, uint64_t tick);
    void Ran(uint32_t context, uint64_t tick) {
        if (context < entries_.size()) entries_[context].last = tick;
    }
    uint64_t issued() const { return issued_; }

    static constexpr size_t kMaxRanges = 7;   // ranges past these are not prefetched

  private:
    // One context in one cache line (itself a miss per warmed event in a large run): the
    // tick of its latest event, and its ranges as line-aligned addresses with the number of
    // lines minus one in the low 6 bits (longer ranges are split; 0 ends the list).
    struct alignas(64) Entry {
        uint64_t last = 0;
        uintptr_t lines[kMaxRanges] = {};
    };
    std::vector<Entry> entries_;
    uint64_t issued_ = 0;
};

class PrefetchScheduler : public ns3::Scheduler {
  public:
    static ns3::TypeId GetTypeId();
    PrefetchScheduler() = default;
    ~PrefetchScheduler() override = default;

    void Insert(const Event& ev) override;
    bool IsEmpty() const override;
    Event PeekNext() const override;
    Event RemoveNext() override;
    void Remove(const Event& ev) override;

  private:
    static bool Less(const Event& a, const Event& b) {
        return a.key.m_ts < b.key.m_ts || (a.key.m_ts == b.key.m_ts && a.key.m_uid < b.key.m_uid);
    }
    void Up(size_t i);
    void Down(size_t i);
    void RemoveAt(size_t i);
    std::vector<Event> heap_;
    uint64_t tick_ = 0;
};

}  // namespace seqs_sim

#endif

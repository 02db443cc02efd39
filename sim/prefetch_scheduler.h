/* SPDX-License-Identifier: BSD-3-Clause */
// sim/prefetch_scheduler.h — an ns-3 event scheduler that warms the next event's node.
//
// At 10,000 nodes a node's state is cold every time its turn comes: its ping timer fired
// 50 ms of simulated time (all other nodes) ago, and the frame it receives was sent by a
// node whose state was cold too. Each event then waits on tens of cache misses in a row.
// This scheduler hands out events exactly in the order ns-3's own schedulers do (time
// stamp, then uid: the run is the same event for event), and when it hands out an event
// it looks at the one after it: if that event's context (the ns-3 node id) has not run
// recently, it issues prefetches for the memory the node's registered ranges name (the
// StackNode, the hot part of its seqs stack, its end of the wire, its apps), so the loads
// overlap the current event's work.
// Prefetching is only a hint: results do not depend on it.
//
// The queue has two tiers, so that the part every event sifts through stays in cache:
// later events are appended, unsorted, to one bucket per 2^16 time steps (65 us at ns-3's
// default resolution) in a ring of 4096 buckets; events beyond the ring's span go to a far
// heap. When nothing before the horizon is left, the next bucket (and whatever the far heap
// holds for its span) is sorted once and handed out in order; events scheduled before the
// horizon meanwhile go to a small 4-ary heap, and the next event is the lesser of the two.
// A ping timer 50 ms ahead is then an append, not a sift through 20,000 events.
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
    // Replaces the ranges of a context (up to kMaxRanges - 1 after splitting).
    void Set(uint32_t context, const std::vector<Range>& ranges);
    // Sets the context's one range that moves between its events (at most 64 lines).
    void SetMoving(uint32_t context, const void* p, uint32_t bytes);
    // Issues the prefetches for `context` unless it ran within the last few events.
    void Warm(uint32_t context, uint64_t tick);
    void Ran(uint32_t context, uint64_t tick) {
        if (context < entries_.size()) entries_[context].last = (uint32_t)tick;
    }
    uint64_t issued() const { return issued_; }

    static constexpr size_t kMaxRanges = 10;   // ranges past these are not prefetched

  private:
    // One context in one cache line (itself a miss per warmed event in a large run): the
    // tick of its latest event (modulo 2^32), and its ranges in 6 bytes each: a line-aligned
    // address (below 2^48) with the number of lines minus one in the low 6 bits (longer
    // ranges are split; 0 is an empty slot). The last slot is the moving range.
    struct alignas(64) Entry {
        uint32_t last = 0;
        uint8_t ranges[kMaxRanges * 6] = {};
    };
    static void Put(Entry& e, size_t k, uintptr_t v);
    static uintptr_t Get(const Entry& e, size_t k);
    static uintptr_t Encode(const void* p, uint32_t bytes, uintptr_t* next);
    std::vector<Entry> entries_;
    uint64_t issued_ = 0;
};

class PrefetchScheduler : public ns3::Scheduler {
  public:
    static ns3::TypeId GetTypeId();
    PrefetchScheduler() : ring_(kBuckets) {}
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
    static constexpr unsigned kBucketBits = 16;   // a bucket spans 2^16 time steps
    static constexpr uint64_t kBuckets = 4096;     // the ring's span, in buckets
    static void Push(std::vector<Event>& h, const Event& ev);
    static void Up(std::vector<Event>& h, size_t i);
    static void Down(std::vector<Event>& h, size_t i);
    static void RemoveAt(std::vector<Event>& h, size_t i);
    // Nothing due before the horizon: run_ is spent and near_ is empty.
    bool NoneBeforeHorizon() const { return run_pos_ == run_.size() && near_.empty(); }
    // Moves the next bucket into run_ (sorted) while nothing is due before the horizon.
    void Refill() const;
    void SortRun() const;
    // The next event: at run_[run_pos_] (true) or near_.front() (false); needs one queued.
    bool NextIsRun() const {
        return run_pos_ < run_.size() && (near_.empty() || Less(run_[run_pos_], near_.front()));
    }
    // The state is mutable because PeekNext (const) may have to load the next bucket into run_.
    // Every event before horizon_ is in run_ (from run_pos_ on, sorted: the bucket loaded
    // last) or in near_ (a heap of those scheduled before the horizon after that).
    mutable std::vector<Event> run_;
    mutable size_t run_pos_ = 0;
    mutable std::vector<Event> near_;
    mutable std::vector<std::vector<Event>> ring_;    // bucket b: events of [b, b+1) << kBucketBits
    mutable std::vector<Event> far_;                  // events past the ring's span
    mutable std::vector<Event> scratch_;              // SortRun's merge target
    mutable std::vector<size_t> bounds_;              // SortRun's ascending stretches
    mutable uint64_t horizon_ = 0;                    // a bucket boundary: the next bucket to load
    mutable uint64_t ring_n_ = 0;                     // events in ring_
    uint64_t tick_ = 0;
};

}  // namespace seqs_sim

#endif

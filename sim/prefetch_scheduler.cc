/* SPDX-License-Identifier: BSD-3-Clause */
// sim/prefetch_scheduler.cc — see prefetch_scheduler.h.
#include "prefetch_scheduler.h"

#include <algorithm>

#include "ns3/abort.h"
#include "ns3/event-impl.h"

namespace seqs_sim {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(PrefetchScheduler);

namespace {
constexpr uintptr_t kLine = 64;
// A context that ran within this many events is taken as still in cache.
constexpr uint64_t kWarmEvents = 48;
}  // namespace

PrefetchRegistry& PrefetchRegistry::Get() {
    static PrefetchRegistry r;
    return r;
}

void PrefetchRegistry::Set(uint32_t context, const std::vector<Range>& ranges) {
    if (context >= entries_.size()) entries_.resize((size_t)context + 1);
    Entry& e = entries_[context];
    size_t k = 0;
    for (const Range& r : ranges) {
        if (!r.p || !r.bytes) continue;
        uintptr_t a = (uintptr_t)r.p & ~(kLine - 1), end = (uintptr_t)r.p + r.bytes;
        while (a < end && k < kMaxRanges) {
            uintptr_t n = std::min<uintptr_t>((end - a + kLine - 1) / kLine, 64);
            e.lines[k++] = a | (n - 1);
            a += n * kLine;
        }
    }
    for (size_t j = k; j < kMaxRanges; j++) e.lines[j] = 0;
}

void PrefetchRegistry::Warm(uint32_t context, uint64_t tick) {
    if (context >= entries_.size()) return;
    Entry& e = entries_[context];
    if (tick - e.last < kWarmEvents) return;
    e.last = tick;   // do not prefetch it again for the events right after
    for (size_t k = 0; k < kMaxRanges && e.lines[k]; k++) {
        uintptr_t a = e.lines[k] & ~(kLine - 1), n = (e.lines[k] & (kLine - 1)) + 1;
        for (uintptr_t j = 0; j < n; j++) __builtin_prefetch((const void*)(a + j * kLine), 1, 2);
        issued_ += n;
    }
}

TypeId PrefetchScheduler::GetTypeId() {
    static TypeId tid = TypeId("seqs_sim::PrefetchScheduler")
                            .SetParent<Scheduler>()
                            .SetGroupName("Core")
                            .AddConstructor<PrefetchScheduler>();
    return tid;
}

// A 4-ary heap: half the depth of a binary one, and a node's four children share one or
// two cache lines, so a sift through a queue of tens of thousands of events misses less.
constexpr size_t kArity = 4;

void PrefetchScheduler::Up(size_t i) {
    Event ev = heap_[i];
    while (i > 0) {
        size_t p = (i - 1) / kArity;
        if (!Less(ev, heap_[p])) break;
        heap_[i] = heap_[p];
        i = p;
    }
    heap_[i] = ev;
}

void PrefetchScheduler::Down(size_t i) {
    size_t n = heap_.size();
    Event ev = heap_[i];
    for (;;) {
        size_t c = kArity * i + 1;
        if (c >= n) break;
        size_t end = std::min(c + kArity, n), m = c;
        for (size_t k = c + 1; k < end; k++)
            if (Less(heap_[k], heap_[m])) m = k;
        if (!Less(heap_[m], ev)) break;
        heap_[i] = heap_[m];
        i = m;
    }
    heap_[i] = ev;
}

void PrefetchScheduler::Insert(const Event& ev) {
    heap_.push_back(ev);
    Up(heap_.size() - 1);
}

bool PrefetchScheduler::IsEmpty() const { return heap_.empty(); }

Scheduler::Event PrefetchScheduler::PeekNext() const {
    NS_ABORT_MSG_IF(heap_.empty(), "PrefetchScheduler::PeekNext on an empty queue");
    return heap_.front();
}

void PrefetchScheduler::RemoveAt(size_t i) {
    Event last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;
    heap_[i] = last;
    if (i > 0 && Less(heap_[i], heap_[(i - 1) / kArity])) Up(i);
    else Down(i);
}

Scheduler::Event PrefetchScheduler::RemoveNext() {
    NS_ABORT_MSG_IF(heap_.empty(), "PrefetchScheduler::RemoveNext on an empty queue");
    Event ev = heap_.front();
    RemoveAt(0);
    PrefetchRegistry& r = PrefetchRegistry::Get();
    tick_++;
    r.Ran(ev.key.m_context, tick_);
    if (!heap_.empty()) {
        // The next event's node, and the event objects (two lines: a frame delivery binds a
        // packet and two addresses) of the next event and of those that may follow it.
        const Event& next = heap_.front();
        r.Warm(next.key.m_context, tick_);
        for (size_t i = 0; i <= kArity && i < heap_.size(); i++) {
            const char* impl = reinterpret_cast<const char*>(heap_[i].impl);
            __builtin_prefetch(impl, 1, 3);
            __builtin_prefetch(impl + 64, 1, 3);
        }
    }
    return ev;
}

void PrefetchScheduler::Remove(const Event& ev) {
    for (size_t i = 0; i < heap_.size(); i++) {
        if (heap_[i].key.m_uid == ev.key.m_uid) {
            RemoveAt(i);
            return;
        }
    }
    NS_ABORT_MSG("PrefetchScheduler::Remove: no event with uid " << ev.key.m_uid);
}

}  // namespace seqs_sim

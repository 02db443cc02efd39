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

void PrefetchRegistry::Put(Entry& e, size_t k, uintptr_t v) {
    for (size_t i = 0; i < 6; i++) e.ranges[6 * k + i] = (uint8_t)(v >> (8 * i));
}

uintptr_t PrefetchRegistry::Get(const Entry& e, size_t k) {
    uintptr_t v = 0;
    for (size_t i = 0; i < 6; i++) v |= (uintptr_t)e.ranges[6 * k + i] << (8 * i);
    return v;
}

// The first (up to 64 lines) of the lines [p, p + bytes) touches, encoded; *next is where the
// rest starts. 0 for memory above 2^48, which 6 bytes cannot name (not prefetched).
uintptr_t PrefetchRegistry::Encode(const void* p, uint32_t bytes, uintptr_t* next) {
    uintptr_t a = (uintptr_t)p & ~(kLine - 1), end = (uintptr_t)p + bytes;
    uintptr_t n = std::min<uintptr_t>((end - a + kLine - 1) / kLine, 64);
    *next = a + n * kLine;
    return end > ((uintptr_t)1 << 48) ? 0 : a | (n - 1);
}

void PrefetchRegistry::Set(uint32_t context, const std::vector<Range>& ranges) {
    if (context >= entries_.size()) entries_.resize((size_t)context + 1);
    Entry& e = entries_[context];
    size_t k = 0;
    for (const Range& r : ranges) {
        if (!r.p || !r.bytes) continue;
        uintptr_t a = (uintptr_t)r.p, end = (uintptr_t)r.p + r.bytes;
        while (a < end && k < kMaxRanges - 1) Put(e, k++, Encode((const void*)a, (uint32_t)(end - a), &a));
    }
    for (size_t j = k; j < kMaxRanges - 1; j++) Put(e, j, 0);
}

void PrefetchRegistry::SetMoving(uint32_t context, const void* p, uint32_t bytes) {
    if (context >= entries_.size() || !p || !bytes) return;
    uintptr_t rest;
    Put(entries_[context], kMaxRanges - 1, Encode(p, bytes, &rest));
}

void PrefetchRegistry::Warm(uint32_t context, uint64_t tick) {
    if (context >= entries_.size()) return;
    Entry& e = entries_[context];
    if ((uint32_t)tick - e.last < kWarmEvents) return;
    e.last = (uint32_t)tick;   // do not prefetch it again for the events right after
    for (size_t k = 0; k < kMaxRanges; k++) {
        uintptr_t v = Get(e, k);
        if (!v) continue;
        uintptr_t a = v & ~(kLine - 1), n = (v & (kLine - 1)) + 1;
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
// two cache lines.
constexpr size_t kArity = 4;
// A ring slot keeps at most this much room for the events of its next bucket.
constexpr size_t kKeepEvents = 1024;

void PrefetchScheduler::Up(std::vector<Event>& h, size_t i) {
    Event ev = h[i];
    while (i > 0) {
        size_t p = (i - 1) / kArity;
        if (!Less(ev, h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = ev;
}

void PrefetchScheduler::Down(std::vector<Event>& h, size_t i) {
    size_t n = h.size();
    Event ev = h[i];
    for (;;) {
        size_t c = kArity * i + 1;
        if (c >= n) break;
        size_t end = std::min(c + kArity, n), m = c;
        for (size_t k = c + 1; k < end; k++)
            if (Less(h[k], h[m])) m = k;
        if (!Less(h[m], ev)) break;
        h[i] = h[m];
        i = m;
    }
    h[i] = ev;
}

void PrefetchScheduler::Push(std::vector<Event>& h, const Event& ev) {
    h.push_back(ev);
    Up(h, h.size() - 1);
}

void PrefetchScheduler::RemoveAt(std::vector<Event>& h, size_t i) {
    Event last = h.back();
    h.pop_back();
    if (i == h.size()) return;
    h[i] = last;
    if (i > 0 && Less(h[i], h[(i - 1) / kArity])) Up(h, i);
    else Down(h, i);
}

void PrefetchScheduler::Insert(const Event& ev) {
    uint64_t ts = ev.key.m_ts;
    if (ts < horizon_) {
        Push(near_, ev);
    } else if ((ts >> kBucketBits) - (horizon_ >> kBucketBits) < kBuckets) {
        ring_[(ts >> kBucketBits) % kBuckets].push_back(ev);
        ring_n_++;
    } else {
        Push(far_, ev);
    }
}

void PrefetchScheduler::Refill() const {
    while (NoneBeforeHorizon()) {
        if (!ring_n_) {
            if (far_.empty()) return;
            // Nothing within the ring's span: skip to the far heap's first bucket.
            horizon_ = far_.front().key.m_ts >> kBucketBits << kBucketBits;
        }
        uint64_t b = horizon_ >> kBucketBits;
        std::vector<Event>& bucket = ring_[b % kBuckets];
        ring_n_ -= bucket.size();
        run_.clear();
        run_.swap(bucket);   // the slot keeps the old run's capacity for its next bucket ...
        // ... unless a burst (a broadcast storm on a switch) grew it: 4096 slots keeping
        // what their largest bucket needed would hold the burst's memory for the whole run.
        if (bucket.capacity() > kKeepEvents) std::vector<Event>().swap(bucket);
        run_pos_ = 0;
        // Far events that were past the span when they came and fall in this bucket.
        while (!far_.empty() && far_.front().key.m_ts >> kBucketBits <= b) {
            run_.push_back(far_.front());
            RemoveAt(far_, 0);
        }
        // One sort per bucket: fewer (and more predictable) comparisons than a sift per event.
        SortRun();
        horizon_ = (b + 1) << kBucketBits;
    }
}

// Sorts run_. A bucket is filled by a few streams, each appended in time order (timers an
// interval ahead, frames a link delay ahead, then the far events): a natural merge sort
// merges those ascending stretches, O(n) for the usual two or three (2.1 on average at
// 10,000 pinging nodes, 40 events a bucket), where std::sort spends n log n comparisons
// whatever the order. (time, uid) is a total order, so the result is the same.
void PrefetchScheduler::SortRun() const {
    const size_t n = run_.size();
    bounds_.clear();
    bounds_.push_back(0);
    for (size_t i = 1; i < n; i++)
        if (Less(run_[i], run_[i - 1])) bounds_.push_back(i);
    bounds_.push_back(n);
    while (bounds_.size() > 2) {   // merge stretches pairwise into scratch_, then swap
        scratch_.resize(n);
        size_t k = 0, m = 0;
        for (; k + 2 < bounds_.size(); k += 2) {
            std::merge(run_.begin() + (std::ptrdiff_t)bounds_[k], run_.begin() + (std::ptrdiff_t)bounds_[k + 1],
                       run_.begin() + (std::ptrdiff_t)bounds_[k + 1], run_.begin() + (std::ptrdiff_t)bounds_[k + 2],
                       scratch_.begin() + (std::ptrdiff_t)bounds_[k], Less);
            bounds_[m++] = bounds_[k];
        }
        if (k + 1 < bounds_.size()) {   // an odd stretch out
            std::copy(run_.begin() + (std::ptrdiff_t)bounds_[k], run_.end(), scratch_.begin() + (std::ptrdiff_t)bounds_[k]);
            bounds_[m++] = bounds_[k];
        }
        bounds_[m++] = n;
        bounds_.resize(m);
        run_.swap(scratch_);
    }
}

bool PrefetchScheduler::IsEmpty() const {
    return NoneBeforeHorizon() && !ring_n_ && far_.empty();
}

Scheduler::Event PrefetchScheduler::PeekNext() const {
    Refill();
    NS_ABORT_MSG_IF(NoneBeforeHorizon(), "PrefetchScheduler::PeekNext on an empty queue");
    return NextIsRun() ? run_[run_pos_] : near_.front();
}

Scheduler::Event PrefetchScheduler::RemoveNext() {
    Refill();
    NS_ABORT_MSG_IF(NoneBeforeHorizon(), "PrefetchScheduler::RemoveNext on an empty queue");
    Event ev;
    if (NextIsRun()) {
        ev = run_[run_pos_++];
    } else {
        ev = near_.front();
        RemoveAt(near_, 0);
    }
    PrefetchRegistry& r = PrefetchRegistry::Get();
    tick_++;
    r.Ran(ev.key.m_context, tick_);
    Refill();
    if (!NoneBeforeHorizon()) {
        // The next event's node, and the event objects (two lines: a frame delivery binds a
        // packet and two addresses) of the next event and of those that may follow it.
        const Event& next = NextIsRun() ? run_[run_pos_] : near_.front();
        r.Warm(next.key.m_context, tick_);
        auto impl = [](const Event& e) {
            const char* p = reinterpret_cast<const char*>(e.impl);
            __builtin_prefetch(p, 1, 3);
            __builtin_prefetch(p + 64, 1, 3);
        };
        for (size_t i = run_pos_; i < run_pos_ + 4 && i < run_.size(); i++) impl(run_[i]);
        if (!near_.empty()) impl(near_.front());
    }
    return ev;
}

void PrefetchScheduler::Remove(const Event& ev) {
    auto find_in = [&](std::vector<Event>& v, size_t from = 0) -> size_t {
        for (size_t i = from; i < v.size(); i++)
            if (v[i].key.m_uid == ev.key.m_uid) return i;
        return SIZE_MAX;
    };
    uint64_t ts = ev.key.m_ts;
    if (ts < horizon_) {
        size_t i = find_in(run_, run_pos_);
        if (i != SIZE_MAX) {
            run_.erase(run_.begin() + (std::ptrdiff_t)i);   // stays sorted
            return;
        }
        i = find_in(near_);
        if (i != SIZE_MAX) return RemoveAt(near_, i);
    } else {
        if ((ts >> kBucketBits) - (horizon_ >> kBucketBits) < kBuckets) {
            std::vector<Event>& bucket = ring_[(ts >> kBucketBits) % kBuckets];
            size_t i = find_in(bucket);
            if (i != SIZE_MAX) {
                bucket[i] = bucket.back();   // a bucket is unordered
                bucket.pop_back();
                ring_n_--;
                return;
            }
        }
        // Past the span when it came (the span may have moved over it since).
        size_t i = find_in(far_);
        if (i != SIZE_MAX) return RemoveAt(far_, i);
    }
    NS_ABORT_MSG("PrefetchScheduler::Remove: no event with uid " << ev.key.m_uid);
}

}  // namespace seqs_sim

/* SPDX-License-Identifier: BSD-3-Clause */
// sim/small_alloc.cc — the C++ allocation functions of seqs-sim (and of bench/sim_scale's
// ns-3-native program, so both sides of that comparison allocate alike).
//
// ns-3 allocates on every frame and event: the event object, the packet, its buffer. At
// 10,000 nodes the objects are long-lived and interleaved (a ping timer lives 50 ms of
// simulated time, through a million other allocations), and glibc's per-thread cache holds
// only seven blocks per size: the rest go through its bins, which coalesce with
// neighbouring blocks and walk their headers, cache misses each (about a fifth of the time
// per frame at 10,000 nodes). Here blocks up to kMaxSmall bytes come from per-thread free
// lists, one per 16-byte size class, last in first out, never coalesced, never returned to
// the system: a block freed is the next one handed out of its size. Larger blocks come
// from malloc. Each block carries a 16-byte header with its class, so operator delete does
// not need the size; sized delete (what C++14 code calls when it knows the type) does not
// read it: at 10,000 nodes a timer's event object is freed 50 ms after it was allocated,
// and its header, on the line before the object's, is a cache miss.
//
// Not built with AddressSanitizer (SEQS_SANITIZE): its own allocator must see every block.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__)

namespace {

constexpr std::size_t kHeader = 16;                 // keeps blocks 16-byte aligned
constexpr std::size_t kGrain = 16;
constexpr std::size_t kMaxSmall = 512;
constexpr std::size_t kClasses = kMaxSmall / kGrain;   // class c: blocks of c * 16 bytes
constexpr std::size_t kArena = 256 * 1024;          // carved into small blocks as needed
constexpr std::uint64_t kLarge = ~std::uint64_t(0);   // header of a block from malloc

struct FreeBlock {
    FreeBlock* next;
};

// Zero-initialised: no constructor, so no guard on each access.
struct Cache {
    FreeBlock* free[kClasses + 1];
    char* bump;
    char* bump_end;
};
thread_local Cache t_cache;

// The size class of a small request (n <= kMaxSmall): blocks of c * kGrain bytes.
std::size_t ClassOf(std::size_t n) { return n ? (n + kGrain - 1) / kGrain : 1; }

// Puts a small block of class c on this thread's free list (a block freed by another
// thread joins this one's: fine, blocks are untyped).
void PushFree(void* q, std::size_t c) {
    FreeBlock* b = static_cast<FreeBlock*>(q);
    b->next = t_cache.free[c];
    t_cache.free[c] = b;
}

void* Alloc(std::size_t n) noexcept {
    if (n <= kMaxSmall) {
        std::size_t c = ClassOf(n);
        Cache& t = t_cache;
        if (FreeBlock* b = t.free[c]) {
            t.free[c] = b->next;
            return b;
        }
        std::size_t bytes = kHeader + c * kGrain;
        if ((std::size_t)(t.bump_end - t.bump) < bytes) {
            // The arena's unused tail stays unused (at most kMaxSmall + kHeader bytes).
            char* a = static_cast<char*>(std::malloc(kArena));
            if (!a) return nullptr;
            t.bump = a;
            t.bump_end = a + kArena;
        }
        char* p = t.bump;
        t.bump += bytes;
        *reinterpret_cast<std::uint64_t*>(p) = c;
        return p + kHeader;
    }
    if (n > SIZE_MAX - kHeader) return nullptr;
    char* p = static_cast<char*>(std::malloc(kHeader + n));
    if (!p) return nullptr;
    *reinterpret_cast<std::uint64_t*>(p) = kLarge;
    return p + kHeader;
}

void Free(void* q) noexcept {
    if (!q) return;
    char* p = static_cast<char*>(q) - kHeader;
    std::uint64_t c = *reinterpret_cast<std::uint64_t*>(p);
    if (c == kLarge) {
        std::free(p);
        return;
    }
    PushFree(q, c);
}

// operator new's contract: on failure, call the new-handler until it gives up, then throw.
// Sized delete: n is the size the block was allocated with (the language guarantees it), so
// a small block's class follows from it without the header.
void FreeSized(void* q, std::size_t n) noexcept {
    if (!q) return;
    if (n > kMaxSmall) return Free(q);
    std::size_t c = ClassOf(n);
#ifndef NDEBUG
    if (*reinterpret_cast<std::uint64_t*>(static_cast<char*>(q) - kHeader) != c) std::abort();
#endif
    PushFree(q, c);
}

void* AllocOrThrow(std::size_t n) {
    for (;;) {
        if (void* p = Alloc(n)) return p;
        std::new_handler h = std::get_new_handler();
        if (!h) throw std::bad_alloc();
        h();
    }
}

}  // namespace

void* operator new(std::size_t n) { return AllocOrThrow(n); }
void* operator new[](std::size_t n) { return AllocOrThrow(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return Alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return Alloc(n); }
void operator delete(void* p) noexcept { Free(p); }
void operator delete[](void* p) noexcept { Free(p); }
void operator delete(void* p, std::size_t n) noexcept { FreeSized(p, n); }
void operator delete[](void* p, std::size_t) noexcept { Free(p); }   // n may count an array cookie
void operator delete(void* p, const std::nothrow_t&) noexcept { Free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Free(p); }
// The align_val_t forms stay the library's (aligned_alloc/free), a separate pair.

#endif

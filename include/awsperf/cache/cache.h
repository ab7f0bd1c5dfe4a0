// awsperf::cache::Cache<K, V>: an in-process, sharded cache with W-TinyLFU
// (default) or LRU eviction, entry and byte limits, TTL (per cache and per
// entry), negative caching, single-flight loading, refresh-ahead, warming, a
// removal listener and statistics.
//
// Semantics worth knowing:
// - get(), contains() and a get_or_load() hit take no lock: the lookup is
//   lock-free, and the access is buffered and replayed into the eviction
//   policy later (see ReadReplay). Entries are never modified in place; a put
//   publishes a fresh copy, and the old one is freed once no reader can still
//   be copying it (epoch-based reclamation), in batches of at most 64 entries
//   or 1/32 of a shard's byte budget.
// - An expired entry is never returned, and an entry is served until its TTL
//   (with the real clock, reads check expiry on the cheap coarse clock and ask
//   the precise one only within the coarse clock's resolution of it). Expired
//   entries are reclaimed by a timer wheel (amortized O(1) per
//   entry) during writes, cleanup() and, if auto_cleanup is on, a background
//   thread every cleanup_interval; a read that meets one reclaims it at once.
// - max_entries and max_bytes are split evenly over the shards and enforced
//   after every write, so the total never exceeds max_bytes; an entry heavier
//   than one shard's byte budget is not stored (it counts as a size eviction).
//   Use shards = 1 for few, large values.
// - get_or_load() runs the loader once per key however many threads miss at
//   the same time; the others wait for its result. A put() or erase() of the
//   key while it loads wins: the loaded value is returned to the waiters but
//   not stored. The coroutine form is in awsperf/cache/async.h.
// - The loader returns Result<V>, or Result<std::optional<V>> where nullopt
//   means "the key does not exist": that answer is cached for negative_ttl.
// - The removal listener runs on the thread that caused the removal, after the
//   shard lock is released; it may call back into the cache.
//
// Thread-safety: every member function may be called concurrently from any
// number of threads, except that the destructor must not race with any call.
// Writes take their shard's mutex; reads take none; there is no global lock.
#ifndef AWSPERF_CACHE_CACHE_H_
#define AWSPERF_CACHE_CACHE_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "awsperf/cache/epoch.h"
#include "awsperf/cache/shard_core.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"

namespace awsperf::cache {

// How reads reach the eviction policy. A read takes no lock: it appends an
// event to a small per-shard buffer, and the events are replayed into the
// policy later (as in Caffeine).
enum class ReadReplay : std::uint8_t {
  // A maintenance thread replays the buffers, at most once per
  // read_replay_interval; reads never do policy work. Under read load beyond
  // what that keeps up with, the excess events are dropped: the policy sees a
  // sample of the reads (statistics still count every read).
  kBackground,
  // The reader that fills a buffer replays it, if the shard lock is free:
  // a single thread loses no event, so results are exactly reproducible (the
  // trace simulator uses this). Contended readers still drop events rather
  // than wait.
  kInline,
};

struct CacheOptions {
  // Most entries the cache holds (split over the shards). Default 1000.
  std::uint64_t max_entries = 1000;
  // Most bytes, as reported by the weigher, the cache holds. Default 50 MiB.
  std::uint64_t max_bytes = 50ull << 20;
  // Time to live of an entry unless put() gives its own; zero means entries
  // never expire. Default 5 minutes.
  std::chrono::nanoseconds ttl = std::chrono::minutes(5);
  // Eviction policy. Default W-TinyLFU.
  Policy policy = Policy::kWTinyLfu;
  // Reclaim expired entries on a background thread. Default on.
  bool auto_cleanup = true;
  // How often the background cleanup runs (real time). Default 60 s.
  std::chrono::nanoseconds cleanup_interval = std::chrono::seconds(60);
  // Number of shards, rounded up to a power of two; unset = automatic (about
  // four per hardware thread, fewer for small caches so each shard keeps at
  // least 32 entries).
  std::optional<std::uint32_t> shards;
  // When set, get_or_load() on an entry older than this returns the current
  // value at once and reloads it in the background (once). Unset = off.
  std::optional<std::chrono::nanoseconds> refresh_after;
  // Time to live of a cached "absent" answer. Default 30 s.
  std::chrono::nanoseconds negative_ttl = std::chrono::seconds(30);
  // Threads for background refreshes. Default 1.
  std::uint32_t refresh_threads = 1;
  // How reads reach the policy; see ReadReplay. Writes always replay pending
  // read events first. Default kBackground.
  ReadReplay read_replay = ReadReplay::kBackground;
  // Least time between two background replays. Default 1 ms.
  std::chrono::nanoseconds read_replay_interval = std::chrono::milliseconds(1);
  // The clock every expiry reads; null = Clock::real(). Not owned.
  Clock* clock = nullptr;
};

struct CacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t loads = 0;          // loader calls that succeeded
  std::uint64_t load_failures = 0;  // loader calls that returned an error
  std::chrono::nanoseconds total_load_time{0};
  std::uint64_t evictions_size = 0;
  std::uint64_t evictions_expired = 0;
  std::uint64_t evictions_explicit = 0;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  double hit_rate() const {
    auto total = hits + misses;
    return total == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(total);
  }
};

struct WarmProgress {
  std::size_t done = 0;  // keys finished (loaded, present already, or failed)
  std::size_t total = 0;
  std::size_t failed = 0;
};

namespace detail {

std::uint64_t mix_hash(std::uint64_t h);
std::uint32_t auto_shards(std::uint64_t max_entries);
// The coarse monotonic clock: the same timeline as steady_clock, read without
// touching the hardware counter; never later than steady_clock::now() and
// less than coarse_resolution_ns() earlier.
std::int64_t coarse_now_ns();
std::int64_t coarse_resolution_ns();

// Background threads of a cache: periodic cleanup and refresh tasks.
class Background {
 public:
  Background() = default;
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // One maintenance thread per cache, whatever it has to do.
  struct Maintenance {
    // Runs every `periodic_interval` when set.
    std::function<void()> periodic;
    std::chrono::nanoseconds periodic_interval{0};
    // Runs after request(), at most once per `request_interval`; requests
    // made while it waits or runs coalesce into one run.
    std::function<void()> on_request;
    std::chrono::nanoseconds request_interval{0};
  };
  void start_maintenance(Maintenance m);
  // Cheap when a run is already pending: one relaxed load.
  void request() {
    if (requested_.load(std::memory_order_relaxed) || requested_.exchange(true)) return;
    { std::lock_guard lk(mu_); }
    cv_.notify_all();
  }
  void set_threads(std::uint32_t n) { threads_wanted_ = n == 0 ? 1 : n; }
  void submit(std::function<void()> task);
  // Stops and joins every thread; pending tasks are dropped.
  void stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  std::uint32_t threads_wanted_ = 1;
  std::uint32_t workers_ = 0;
  std::atomic<bool> requested_{false};
};

template <typename T>
std::size_t dynamic_size(const T& t) {
  if constexpr (requires {
                  t.size();
                  t.data();
                }) {
    return t.size() * sizeof(*t.data());
  } else {
    return 0;
  }
}

}  // namespace detail

template <typename K, typename V, typename Hash = std::hash<K>,
          typename KeyEqual = std::equal_to<K>>
class Cache {
 public:
  using key_type = K;
  using mapped_type = V;
  // An entry's size in bytes; default sizeof(K) + sizeof(V) + the payload of
  // string-like keys/values.
  using Weigher = std::function<std::size_t(const K&, const V&)>;
  // `value` is null for a negative ("absent") entry.
  using RemovalListener = std::function<void(const K& key, const V* value, RemovalCause cause)>;

  struct Hooks {
    Weigher weigher;
    RemovalListener removal_listener;
  };

  // The shared state of one in-flight load (single-flight). Public for the
  // coroutine form in async.h; not for direct use.
  struct Flight {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool invalidated = false;  // guarded by the shard mutex
    std::optional<Result<std::optional<V>>> result;
    std::vector<std::function<void()>> waiters;

    void complete(Result<std::optional<V>> r) {
      std::vector<std::function<void()>> w;
      {
        std::lock_guard lk(mu);
        result = std::move(r);
        done = true;
        w.swap(waiters);
      }
      cv.notify_all();
      for (auto& f : w) f();
    }
    Result<std::optional<V>> wait() {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return done; });
      return *result;
    }
  };

  // What begin_load() found. Public for async.h.
  struct LoadStart {
    enum Kind { kHit, kJoin, kLead } kind = kHit;
    std::optional<V> value;          // kHit: the value, nullopt for a negative hit
    std::shared_ptr<Flight> flight;  // kJoin/kLead: the load; kHit: a refresh to run, if any
    std::int64_t started = 0;
  };

  explicit Cache(CacheOptions options = {}, Hooks hooks = {})
      : options_(std::move(options)),
        clock_(options_.clock ? options_.clock : Clock::real()),
        weigher_(std::move(hooks.weigher)),
        listener_(std::move(hooks.removal_listener)),
        coarse_reads_(clock_ == Clock::real()) {
    std::uint32_t n = options_.shards ? std::bit_ceil(std::max<std::uint32_t>(*options_.shards, 1))
                                      : detail::auto_shards(options_.max_entries);
    shard_mask_ = n - 1;
    // Split the limits exactly, so the shards' sum is the configured limit.
    shards_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint64_t entries = options_.max_entries / n + (i < options_.max_entries % n ? 1 : 0);
      std::uint64_t bytes = options_.max_bytes / n + (i < options_.max_bytes % n ? 1 : 0);
      shards_.push_back(
          std::make_unique<Shard>(options_.policy, entries, bytes, payload_size(), kPayloadAlign));
    }
    background_.set_threads(options_.refresh_threads);
    detail::Background::Maintenance maintenance;
    if (options_.auto_cleanup && options_.cleanup_interval.count() > 0) {
      maintenance.periodic = [this] { cleanup(); };
      maintenance.periodic_interval = options_.cleanup_interval;
    }
    if (options_.read_replay == ReadReplay::kBackground) {
      maintenance.on_request = [this] { replay_reads(); };
      maintenance.request_interval = options_.read_replay_interval;
    }
    if (maintenance.periodic || maintenance.on_request) {
      background_.start_maintenance(std::move(maintenance));
    }
  }

  // No other thread may use the cache while it is destroyed.
  ~Cache() {
    background_.stop();
    for (auto& s : shards_) {
      s->core.seal_retired();
      s->core.reclaim([&](std::uint32_t slot) { s->destroy(slot); }, Reclaim::kForce);
      std::vector<detail::Removal> out;
      s->core.detach_all(RemovalCause::kExplicit, out);
      for (auto& r : out) s->destroy(r.slot);
    }
  }

  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The value, or nullopt when absent, expired or negatively cached. Takes
  // no lock: the lookup is lock-free and the access is recorded in a buffer
  // that the policy replays later.
  std::optional<V> get(const K& key) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    auto h32 = static_cast<std::uint32_t>(h);
    std::optional<V> result;
    detail::EpochRecord* reader;
    std::uint32_t slot;
    bool expired = false;
    {
      detail::EpochGuard guard;
      reader = guard.record();
      const detail::EntryHeader* m = nullptr;
      const unsigned char* p = nullptr;
      slot = s.core.find_published(h32, key_matcher(key), &m, &p);
      if (slot != detail::kNil) {
        if (!live(*m)) {
          expired = true;
        } else if (!m->absent) {
          result.emplace(value_at(p));
        }
      }
    }
    if (expired) remove_if_expired(s, key, h32);
    note_read(s, reader, result ? slot : detail::kNil, h32);
    return result;
  }

  bool contains(const K& key) const {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    detail::EpochGuard guard;
    const detail::EntryHeader* m = nullptr;
    const unsigned char* p = nullptr;
    std::uint32_t slot =
        s.core.find_published(static_cast<std::uint32_t>(h), key_matcher(key), &m, &p);
    return slot != detail::kNil && !m->absent && live(*m);
  }

  // Stores `value` with `ttl` (default: options.ttl; zero = never expires).
  void put(const K& key, V value, std::optional<std::chrono::nanoseconds> ttl = std::nullopt) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    Notices notices;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      s.invalidate_flight(key);
      store_locked(s, h, key, std::optional<V>(std::move(value)), expiry(now, ttl), now, notices);
      finish_write_locked(s);
    }
    notify(notices);
  }

  // Remembers that `key` does not exist, for `ttl` (default negative_ttl).
  void put_absent(const K& key, std::optional<std::chrono::nanoseconds> ttl = std::nullopt) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    Notices notices;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      s.invalidate_flight(key);
      store_locked(s, h, key, std::nullopt, expiry(now, ttl ? *ttl : options_.negative_ttl), now,
                   notices);
      finish_write_locked(s);
    }
    notify(notices);
  }

  // Removes `key`; true if an entry (possibly negative) was there.
  bool erase(const K& key) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    Notices notices;
    bool found = false;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      s.invalidate_flight(key);
      std::uint32_t slot = s.core.find(static_cast<std::uint32_t>(h), key_matcher(key));
      if (slot != detail::kNil) {
        found = true;
        s.core.detach(slot);
        dispose(s, slot, RemovalCause::kExplicit, notices);
      }
      finish_write_locked(s);
    }
    notify(notices);
    return found;
  }

  void clear() {
    for (auto& sp : shards_) {
      Shard& s = *sp;
      Notices notices;
      {
        std::lock_guard lk(s.mu);
        s.core.drain_reads();
        for (auto& [k, f] : s.flights) f->invalidated = true;
        std::vector<detail::Removal> out;
        s.core.detach_all(RemovalCause::kExplicit, out);
        for (auto& r : out) dispose(s, r.slot, r.cause, notices);
        finish_write_locked(s);
      }
      notify(notices);
    }
  }

  // The present, unexpired entries among `keys`.
  std::vector<std::pair<K, V>> get_all(const std::vector<K>& keys) {
    std::vector<std::pair<K, V>> out;
    for (const auto& k : keys) {
      if (auto v = get(k)) out.emplace_back(k, std::move(*v));
    }
    return out;
  }

  void put_all(std::vector<std::pair<K, V>> entries,
               std::optional<std::chrono::nanoseconds> ttl = std::nullopt) {
    for (auto& [k, v] : entries) put(k, std::move(v), ttl);
  }

  // Replays buffered read events into the policy now (the maintenance
  // thread calls this). A shard whose lock is busy is skipped: its lock
  // holder replays them.
  void replay_reads() {
    for (auto& sp : shards_) {
      std::unique_lock lk(sp->mu, std::try_to_lock);
      if (lk.owns_lock()) sp->core.drain_reads();
    }
  }

  // Reclaims expired entries now (the background cleanup calls this).
  void cleanup() {
    std::int64_t now = now_ns();
    for (auto& sp : shards_) {
      Shard& s = *sp;
      Notices notices;
      {
        std::lock_guard lk(s.mu);
        s.core.drain_reads();
        std::vector<detail::Removal> out;
        s.core.expire(now, out);
        for (auto& r : out) dispose(s, r.slot, r.cause, notices);
        s.core.seal_retired();
        s.core.reclaim([&](std::uint32_t slot) { s.destroy(slot); }, Reclaim::kNow);
      }
      notify(notices);
    }
  }

  // The value of `key`, loading it with loader(key) on a miss; concurrent
  // misses on one key share one loader call. Returns Result<V> for a loader
  // returning Result<V>, Result<std::optional<V>> (with negative caching) for
  // one returning Result<std::optional<V>>.
  template <typename Loader>
  auto get_or_load(const K& key, Loader&& loader) {
    using R = std::invoke_result_t<Loader&, const K&>;
    constexpr bool kOptional = std::is_same_v<R, Result<std::optional<V>>>;
    static_assert(kOptional || std::is_same_v<R, Result<V>>,
                  "the loader must return Result<V> or Result<std::optional<V>>");
    LoadStart st = begin_load(key, kOptional);
    Result<std::optional<V>> r = std::optional<V>();
    switch (st.kind) {
      case LoadStart::kHit:
        if (st.flight) {
          if constexpr (std::is_copy_constructible_v<std::decay_t<Loader>>) {
            background_.submit([this, key, loader = std::decay_t<Loader>(loader), f = st.flight,
                                started = st.started]() mutable {
              finish_load(key, f, call_loader(loader, key), started, kOptional);
            });
          } else {
            abandon_refresh(key, st.flight);
          }
        }
        r = std::move(st.value);
        break;
      case LoadStart::kJoin:
        r = st.flight->wait();
        break;
      case LoadStart::kLead:
        r = call_loader(loader, key);
        finish_load(key, st.flight, r, st.started, kOptional);
        break;
    }
    if constexpr (kOptional) {
      return r;
    } else {
      if (!r) return Result<V>(std::unexpected(std::move(r.error())));
      if (!*r) return Result<V>(make_error(ErrorCode::kNotFound, "the key does not exist"));
      return Result<V>(std::move(**r));
    }
  }

  // Loads every key of `keys` not yet present, with `concurrency` threads,
  // calling progress (if set) after each key from whichever thread finished
  // it (serialized). Returns the final progress.
  template <typename Loader>
  WarmProgress warm(const std::vector<K>& keys, Loader loader, std::size_t concurrency = 4,
                    std::function<void(const WarmProgress&)> progress = {}) {
    WarmProgress p{.total = keys.size()};
    std::mutex mu;
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= keys.size()) return;
        auto r = get_or_load(keys[i], loader);
        std::lock_guard lk(mu);
        ++p.done;
        if (!r) ++p.failed;
        if (progress) progress(p);
      }
    };
    concurrency = std::clamp<std::size_t>(concurrency, 1, std::max<std::size_t>(keys.size(), 1));
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < concurrency; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    return p;
  }

  CacheStats stats() const {
    CacheStats st;
    for (auto& sp : shards_) {
      st.hits += sp->core.reads().hits();
      st.misses += sp->core.reads().misses();
      std::lock_guard lk(sp->mu);
      st.evictions_size += sp->evictions_size;
      st.evictions_expired += sp->evictions_expired;
      st.evictions_explicit += sp->evictions_explicit;
      st.entries += sp->core.entries();
      st.bytes += sp->core.bytes();
    }
    st.loads = loads_.load(std::memory_order_relaxed);
    st.load_failures = load_failures_.load(std::memory_order_relaxed);
    st.total_load_time = std::chrono::nanoseconds(load_nanos_.load(std::memory_order_relaxed));
    return st;
  }

  std::size_t size() const { return stats().entries; }
  const CacheOptions& options() const { return options_; }
  std::uint32_t shard_count() const { return shard_mask_ + 1; }
  // For tests and the simulator: the W-TinyLFU window size of shard 0.
  std::uint64_t window_size_of_first_shard() const {
    std::lock_guard lk(shards_[0]->mu);
    return shards_[0]->core.window_max();
  }

  // ---- the single-flight protocol; used by get_or_load and async.h ----

  LoadStart begin_load(const K& key, bool allow_negative) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    auto h32 = static_cast<std::uint32_t>(h);
    LoadStart st;
    detail::EpochRecord* reader;
    std::uint32_t hit = detail::kNil;
    {
      // The common case, a hit with no refresh due, takes no lock.
      detail::EpochGuard guard;
      reader = guard.record();
      const detail::EntryHeader* m = nullptr;
      const unsigned char* p = nullptr;
      std::uint32_t slot = s.core.find_published(h32, key_matcher(key), &m, &p);
      if (slot != detail::kNil && (!m->absent || allow_negative) && live(*m) &&
          !(options_.refresh_after && !m->absent &&
            read_now() - written_at(p) >= options_.refresh_after->count())) {
        if (!m->absent) st.value.emplace(value_at(p));
        hit = slot;
      }
    }
    if (hit != detail::kNil) {
      note_read(s, reader, hit, h32);
      st.kind = LoadStart::kHit;
      return st;
    }
    std::int64_t now = now_ns();
    Notices notices;
    st.started = now;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      std::uint32_t slot = s.core.find(h32, key_matcher(key));
      if (slot != detail::kNil && !expire_if_due(s, slot, now, notices)) {
        bool absent = s.core.header(slot).absent;
        if (!absent || allow_negative) {
          note_read_locked(s, reader, slot, h32);
          st.kind = LoadStart::kHit;
          if (!absent) st.value.emplace(s.value(slot));
          if (options_.refresh_after && !absent &&
              now - s.written_at(slot) >= options_.refresh_after->count() &&
              !s.flights.contains(key)) {
            st.flight = std::make_shared<Flight>();
            s.flights.emplace(key, st.flight);
          }
          finish_write_locked(s);
          goto done;
        }
      }
      note_read_locked(s, reader, detail::kNil, h32);
      if (auto it = s.flights.find(key); it != s.flights.end()) {
        st.kind = LoadStart::kJoin;
        st.flight = it->second;
      } else {
        st.kind = LoadStart::kLead;
        st.flight = std::make_shared<Flight>();
        s.flights.emplace(key, st.flight);
      }
      finish_write_locked(s);
    }
  done:
    notify(notices);
    return st;
  }

  void finish_load(const K& key, const std::shared_ptr<Flight>& flight, Result<std::optional<V>> r,
                   std::int64_t started, bool allow_negative) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    load_nanos_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(now - started, 0)),
                          std::memory_order_relaxed);
    (r ? loads_ : load_failures_).fetch_add(1, std::memory_order_relaxed);
    Notices notices;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      if (auto it = s.flights.find(key); it != s.flights.end() && it->second == flight) {
        s.flights.erase(it);
      }
      if (!flight->invalidated && r) {
        if (*r) {
          store_locked(s, h, key, std::optional<V>(**r), expiry(now, std::nullopt), now, notices);
        } else if (allow_negative) {
          store_locked(s, h, key, std::nullopt, expiry(now, options_.negative_ttl), now, notices);
        }
      }
      finish_write_locked(s);
    }
    notify(notices);
    flight->complete(std::move(r));
  }

  // A refresh that will not run: forget its flight.
  void abandon_refresh(const K& key, const std::shared_ptr<Flight>& flight) {
    Shard& s = shard(hash(key));
    {
      std::lock_guard lk(s.mu);
      if (auto it = s.flights.find(key); it != s.flights.end() && it->second == flight) {
        s.flights.erase(it);
      }
    }
    flight->complete(make_error(ErrorCode::kCancelled, "refresh abandoned"));
  }

 private:
  struct Notice {
    K key;
    std::optional<V> value;
    RemovalCause cause;
  };
  using Notices = std::vector<Notice>;

  using Reclaim = detail::ShardCore::Reclaim;

  // A slot's payload: the key, then the value, then (only when refresh_after
  // is set) the time it was written.
  static constexpr std::size_t kValueOffset =
      (sizeof(K) + alignof(V) - 1) / alignof(V) * alignof(V);
  static constexpr std::size_t kWrittenOffset =
      (kValueOffset + sizeof(V) + alignof(std::int64_t) - 1) / alignof(std::int64_t) *
      alignof(std::int64_t);
  static constexpr std::size_t kPayloadAlign =
      std::max({alignof(K), alignof(V), alignof(std::int64_t)});
  std::size_t payload_size() const {
    return options_.refresh_after ? kWrittenOffset + sizeof(std::int64_t)
                                  : kValueOffset + sizeof(V);
  }
  static const K& key_at(const unsigned char* p) {
    return *std::launder(reinterpret_cast<const K*>(p));
  }
  static const V& value_at(const unsigned char* p) {
    return *std::launder(reinterpret_cast<const V*>(p + kValueOffset));
  }
  static std::int64_t written_at(const unsigned char* p) {
    return *reinterpret_cast<const std::int64_t*>(p + kWrittenOffset);
  }

  struct alignas(64) Shard {
    Shard(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes, std::size_t payload,
          std::size_t align)
        : core(policy, max_entries, max_bytes, payload, align),
          has_written_at(payload > kWrittenOffset) {}

    K& key(std::uint32_t slot) { return *std::launder(reinterpret_cast<K*>(core.payload(slot))); }
    V& value(std::uint32_t slot) {
      return *std::launder(reinterpret_cast<V*>(core.payload(slot) + kValueOffset));
    }
    std::int64_t& written_at(std::uint32_t slot) {
      return *reinterpret_cast<std::int64_t*>(core.payload(slot) + kWrittenOffset);
    }
    // Destroys the payload of a slot no reader can see; ShardCore frees it.
    void destroy(std::uint32_t slot) {
      key(slot).~K();
      if (!core.header(slot).absent) value(slot).~V();
    }
    void invalidate_flight(const K& k) {
      if (flights.empty()) return;
      if (auto it = flights.find(k); it != flights.end()) it->second->invalidated = true;
    }

    mutable detail::ShardMutex mu;
    detail::ShardCore core;
    bool has_written_at;
    std::unordered_map<K, std::shared_ptr<Flight>, Hash, KeyEqual> flights;
    std::uint64_t evictions_size = 0;
    std::uint64_t evictions_expired = 0;
    std::uint64_t evictions_explicit = 0;
  };

  std::uint64_t hash(const K& key) const { return detail::mix_hash(hash_(key)); }
  Shard& shard(std::uint64_t h) const { return *shards_[(h >> 32) & shard_mask_]; }
  std::int64_t now_ns() const { return clock_->now().time_since_epoch().count(); }
  // What reads compare expiry with: never earlier than now_ns(), cheap.
  std::int64_t read_now() const {
    return coarse_reads_ ? detail::coarse_now_ns() + coarse_resolution_ : now_ns();
  }
  bool live(const detail::EntryHeader& m) const {
    if (m.expire_at == detail::kNever) return true;
    if (!coarse_reads_) return m.expire_at > now_ns();
    // The coarse clock decides unless the expiry falls within its error;
    // then the precise clock does, so an entry is served exactly until its
    // TTL.
    std::int64_t coarse = detail::coarse_now_ns();
    if (m.expire_at > coarse + coarse_resolution_) return true;
    if (m.expire_at <= coarse) return false;
    return m.expire_at > now_ns();
  }
  auto key_matcher(const K& key) const {
    return [this, &key](const unsigned char* p) { return eq_(key_at(p), key); };
  }

  // Counts a read (slot = kNil for a miss) and queues it for the policy. A
  // buffer half full asks the maintenance thread for a replay; a full one
  // drops the event (kBackground) or is replayed by this reader if the shard
  // lock is free (kInline).
  void note_read(Shard& s, detail::EpochRecord* reader, std::uint32_t slot, std::uint32_t h32) {
    std::uint32_t stripe = reader->stripe;
    auto& reads = s.core.reads();
    std::uint64_t event = reads.count(stripe, reader, slot, h32);
    if (background_replay_) {
      if (reads.offer(stripe, event) >= detail::ReadBuffer::kSlots / 2) background_.request();
      return;
    }
    if (reads.offer(stripe, event) != 0) return;
    std::unique_lock lk(s.mu, std::try_to_lock);
    if (!lk.owns_lock()) return;
    s.core.drain_reads();
    reads.offer(stripe, event);
  }
  void note_read_locked(Shard& s, detail::EpochRecord* reader, std::uint32_t slot,
                        std::uint32_t h32) {
    std::uint32_t stripe = reader->stripe;
    auto& reads = s.core.reads();
    std::uint64_t event = reads.count(stripe, reader, slot, h32);
    if (reads.offer(stripe, event) != 0) return;
    s.core.drain_reads();
    reads.offer(stripe, event);
  }

  // A read saw `key` expired: reclaim it now rather than at the next tick,
  // so the listener hears of it at once.
  void remove_if_expired(Shard& s, const K& key, std::uint32_t h32) {
    std::int64_t now = now_ns();
    Notices notices;
    {
      std::lock_guard lk(s.mu);
      s.core.drain_reads();
      std::uint32_t slot = s.core.find(h32, key_matcher(key));
      if (slot != detail::kNil) expire_if_due(s, slot, now, notices);
      finish_write_locked(s);
    }
    notify(notices);
  }

  // Ends a write under the lock: slots retired by it get one retire point,
  // and a batch of old ones no reader can see is freed.
  void finish_write_locked(Shard& s) {
    s.core.seal_retired();
    s.core.reclaim([&](std::uint32_t slot) { s.destroy(slot); });
  }

  std::int64_t expiry(std::int64_t now, std::optional<std::chrono::nanoseconds> ttl) const {
    auto t = ttl ? *ttl : options_.ttl;
    if (t.count() <= 0) return detail::kNever;
    if (t.count() >= detail::kNever - now) return detail::kNever - 1;
    return now + t.count();
  }

  std::size_t weigh(const K& k, const std::optional<V>& v) const {
    if (v && weigher_) return weigher_(k, *v);
    std::size_t w = sizeof(K) + detail::dynamic_size(k);
    if (v) w += sizeof(V) + detail::dynamic_size(*v);
    return w;
  }

  static Result<std::optional<V>> to_optional(Result<V> r) {
    if (!r) return std::unexpected(std::move(r.error()));
    return std::optional<V>(std::move(*r));
  }
  static Result<std::optional<V>> to_optional(Result<std::optional<V>> r) { return r; }

  template <typename Loader>
  static Result<std::optional<V>> call_loader(Loader& loader, const K& key) {
    try {
      return to_optional(loader(key));
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kInternal, std::string("loader threw: ") + e.what());
    } catch (...) {
      return make_error(ErrorCode::kInternal, "loader threw");
    }
  }

  // True (and the entry removed) if the entry at `slot` has expired.
  bool expire_if_due(Shard& s, std::uint32_t slot, std::int64_t now, Notices& notices) {
    if (s.core.header(slot).expire_at > now) return false;
    s.core.detach(slot);
    dispose(s, slot, RemovalCause::kExpired, notices);
    return true;
  }

  // Fills a fresh slot; it is not yet published.
  std::uint32_t make_slot(Shard& s, std::uint32_t h32, const K& key, std::optional<V>& value,
                          std::size_t weight, std::int64_t expire_at, std::int64_t now) {
    std::uint32_t slot = s.core.allocate();
    new (&s.key(slot)) K(key);
    auto& hd = s.core.header(slot);
    if (value) {
      new (&s.value(slot)) V(std::move(*value));
    } else {
      hd.absent = 1;
    }
    if (s.has_written_at) s.written_at(slot) = now;
    hd.hash = h32;
    hd.expire_at = expire_at;
    s.core.meta(slot).weight = static_cast<std::uint32_t>(weight);
    return slot;
  }

  // Entries are never changed in place (a reader may be copying them): a new
  // value goes into a fresh slot that takes the old one's place in the table
  // and in the policy, and the old slot is retired.
  void store_locked(Shard& s, std::uint64_t h, const K& key, std::optional<V> value,
                    std::int64_t expire_at, std::int64_t now, Notices& notices) {
    auto h32 = static_cast<std::uint32_t>(h);
    std::size_t w = weigh(key, value);
    std::vector<detail::Removal> out;
    std::uint32_t slot = s.core.find(h32, key_matcher(key));
    if (w > s.core.max_bytes() || w > UINT32_MAX) {
      // Heavier than the whole shard budget: storing it would flush the shard.
      if (slot != detail::kNil) {
        s.core.detach(slot);
        dispose(s, slot, RemovalCause::kReplaced, notices);
      }
      ++s.evictions_size;
      if (listener_) notices.push_back({key, std::move(value), RemovalCause::kSize});
      return;
    }
    if (slot != detail::kNil) {
      if (listener_) {
        notices.push_back(
            {key, s.core.header(slot).absent ? std::nullopt : std::optional<V>(s.value(slot)),
             RemovalCause::kReplaced});
      }
      std::uint32_t fresh = make_slot(s, h32, key, value, w, expire_at, now);
      s.core.republish(slot, fresh);
      s.core.replace(slot, fresh, now, out);
      s.core.retire(slot);
    } else {
      s.core.expire(now, out);  // amortized reclaim, cheap within one tick
      slot = make_slot(s, h32, key, value, w, expire_at, now);
      s.core.publish(slot);
      s.core.insert(slot, now, out);
    }
    for (auto& r : out) dispose(s, r.slot, r.cause, notices);
  }

  // Unpublishes a detached slot, counts it, hands a copy to the listener (if
  // any; readers may still be reading the original) and retires it.
  void dispose(Shard& s, std::uint32_t slot, RemovalCause cause, Notices& notices) {
    s.core.unpublish(slot);
    switch (cause) {
      case RemovalCause::kSize:
        ++s.evictions_size;
        break;
      case RemovalCause::kExpired:
        ++s.evictions_expired;
        break;
      case RemovalCause::kExplicit:
        ++s.evictions_explicit;
        break;
      case RemovalCause::kReplaced:
        break;
    }
    if (listener_) {
      bool absent = s.core.header(slot).absent;
      notices.push_back(
          {s.key(slot), absent ? std::nullopt : std::optional<V>(s.value(slot)), cause});
    }
    s.core.retire(slot);
  }

  void notify(Notices& notices) {
    for (auto& n : notices) listener_(n.key, n.value ? &*n.value : nullptr, n.cause);
  }

  CacheOptions options_;
  Clock* clock_;
  Weigher weigher_;
  RemovalListener listener_;
  bool coarse_reads_;
  std::int64_t coarse_resolution_ = detail::coarse_resolution_ns();
  bool background_replay_ = options_.read_replay == ReadReplay::kBackground;
  Hash hash_;
  KeyEqual eq_;
  std::uint32_t shard_mask_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> loads_{0};
  std::atomic<std::uint64_t> load_failures_{0};
  std::atomic<std::uint64_t> load_nanos_{0};
  detail::Background background_;  // last: stopped first
};

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_CACHE_H_

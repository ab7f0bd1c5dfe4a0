// awsperf::cache::Cache<K, V>: an in-process, sharded cache with W-TinyLFU
// (default) or LRU eviction, entry and byte limits, TTL (per cache and per
// entry), negative caching, single-flight loading, refresh-ahead, warming, a
// removal listener and statistics.
//
// Semantics worth knowing:
// - An expired entry is never returned; expired entries are also reclaimed by
//   a timer wheel (amortized O(1) per entry) during writes, cleanup() and, if
//   auto_cleanup is on, a background thread every cleanup_interval.
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
// number of threads. Each shard has its own mutex; there is no global lock.
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

#include "awsperf/cache/shard_core.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"

namespace awsperf::cache {

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

// Background threads of a cache: periodic cleanup and refresh tasks.
class Background {
 public:
  Background() = default;
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  void start_periodic(std::chrono::nanoseconds interval, std::function<void()> fn);
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
        listener_(std::move(hooks.removal_listener)) {
    std::uint32_t n = options_.shards ? std::bit_ceil(std::max<std::uint32_t>(*options_.shards, 1))
                                      : detail::auto_shards(options_.max_entries);
    shard_mask_ = n - 1;
    // Split the limits exactly, so the shards' sum is the configured limit.
    shards_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint64_t entries = options_.max_entries / n + (i < options_.max_entries % n ? 1 : 0);
      std::uint64_t bytes = options_.max_bytes / n + (i < options_.max_bytes % n ? 1 : 0);
      shards_.push_back(std::make_unique<Shard>(options_.policy, entries, bytes));
    }
    background_.set_threads(options_.refresh_threads);
    if (options_.auto_cleanup && options_.cleanup_interval.count() > 0) {
      background_.start_periodic(options_.cleanup_interval, [this] { cleanup(); });
    }
  }

  ~Cache() {
    background_.stop();
    for (auto& s : shards_) {
      std::vector<detail::Removal> out;
      s->core.detach_all(RemovalCause::kExplicit, out);
      for (auto& r : out) s->destroy(r.slot);
    }
  }

  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The value, or nullopt when absent, expired or negatively cached.
  std::optional<V> get(const K& key) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    Notices notices;
    std::optional<V> result;
    {
      std::lock_guard lk(s.mu);
      std::uint32_t slot = s.find(key, static_cast<std::uint32_t>(h), eq_);
      if (slot != detail::kNil && !expire_if_due(s, slot, now, notices)) {
        auto& m = s.core.meta(slot);
        if (!(m.flags & detail::kFlagAbsent)) {
          ++s.hits;
          s.core.on_hit(slot);
          result.emplace(s.value(slot));
        }
      }
      if (!result) {
        ++s.misses;
        s.core.on_miss();
      }
    }
    notify(notices);
    return result;
  }

  bool contains(const K& key) const {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    std::lock_guard lk(s.mu);
    std::uint32_t slot = s.find(key, static_cast<std::uint32_t>(h), eq_);
    if (slot == detail::kNil) return false;
    const auto& m = s.core.meta(slot);
    return m.expire_at > now && !(m.flags & detail::kFlagAbsent);
  }

  // Stores `value` with `ttl` (default: options.ttl; zero = never expires).
  void put(const K& key, V value, std::optional<std::chrono::nanoseconds> ttl = std::nullopt) {
    std::uint64_t h = hash(key);
    Shard& s = shard(h);
    std::int64_t now = now_ns();
    Notices notices;
    {
      std::lock_guard lk(s.mu);
      s.invalidate_flight(key);
      store_locked(s, h, key, std::optional<V>(std::move(value)), expiry(now, ttl), now, notices);
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
      s.invalidate_flight(key);
      store_locked(s, h, key, std::nullopt, expiry(now, ttl ? *ttl : options_.negative_ttl), now,
                   notices);
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
      s.invalidate_flight(key);
      std::uint32_t slot = s.find(key, static_cast<std::uint32_t>(h), eq_);
      if (slot != detail::kNil) {
        found = true;
        s.core.detach(slot);
        dispose(s, slot, RemovalCause::kExplicit, notices);
      }
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
        for (auto& [k, f] : s.flights) f->invalidated = true;
        std::vector<detail::Removal> out;
        s.core.detach_all(RemovalCause::kExplicit, out);
        for (auto& r : out) dispose(s, r.slot, r.cause, notices);
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

  // Reclaims expired entries now (the background cleanup calls this).
  void cleanup() {
    std::int64_t now = now_ns();
    for (auto& sp : shards_) {
      Shard& s = *sp;
      Notices notices;
      {
        std::lock_guard lk(s.mu);
        std::vector<detail::Removal> out;
        s.core.expire(now, out);
        for (auto& r : out) dispose(s, r.slot, r.cause, notices);
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
      std::lock_guard lk(sp->mu);
      st.hits += sp->hits;
      st.misses += sp->misses;
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
    std::int64_t now = now_ns();
    Notices notices;
    LoadStart st;
    st.started = now;
    {
      std::lock_guard lk(s.mu);
      std::uint32_t slot = s.find(key, static_cast<std::uint32_t>(h), eq_);
      if (slot != detail::kNil && !expire_if_due(s, slot, now, notices)) {
        auto& m = s.core.meta(slot);
        bool absent = m.flags & detail::kFlagAbsent;
        if (!absent || allow_negative) {
          ++s.hits;
          s.core.on_hit(slot);
          st.kind = LoadStart::kHit;
          if (!absent) st.value.emplace(s.value(slot));
          if (options_.refresh_after && !absent &&
              now - m.written_at >= options_.refresh_after->count() && !s.flights.contains(key)) {
            st.flight = std::make_shared<Flight>();
            s.flights.emplace(key, st.flight);
          }
          goto done;
        }
      }
      ++s.misses;
      s.core.on_miss();
      if (auto it = s.flights.find(key); it != s.flights.end()) {
        st.kind = LoadStart::kJoin;
        st.flight = it->second;
      } else {
        st.kind = LoadStart::kLead;
        st.flight = std::make_shared<Flight>();
        s.flights.emplace(key, st.flight);
      }
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

  struct alignas(64) Shard {
    Shard(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes)
        : core(policy, max_entries, max_bytes) {}
    ~Shard() = default;

    struct SlotStorage {
      alignas(K) unsigned char key[sizeof(K)];
      alignas(V) unsigned char value[sizeof(V)];
    };
    static constexpr int kChunkBits = 8;
    K& key(std::uint32_t i) {
      return *std::launder(reinterpret_cast<K*>(chunks[i >> kChunkBits][i & 255].key));
    }
    V& value(std::uint32_t i) {
      return *std::launder(reinterpret_cast<V*>(chunks[i >> kChunkBits][i & 255].value));
    }
    void ensure_storage() {
      while (chunks.size() * 256 < core.slot_capacity()) {
        chunks.push_back(std::make_unique<SlotStorage[]>(256));
      }
    }
    void destroy(std::uint32_t slot) {
      key(slot).~K();
      if (!(core.meta(slot).flags & detail::kFlagAbsent)) value(slot).~V();
      core.release(slot);
    }

    // Open addressing with linear probing over slot numbers.
    std::uint32_t find(const K& k, std::uint32_t h, const KeyEqual& eq) {
      if (table.empty()) return detail::kNil;
      std::size_t mask = table.size() - 1;
      for (std::size_t pos = h & mask;; pos = (pos + 1) & mask) {
        std::uint32_t slot = table[pos];
        if (slot == detail::kNil) return detail::kNil;
        if (core.meta(slot).hash == h && eq(key(slot), k)) return slot;
      }
    }
    void table_insert(std::uint32_t slot, std::uint32_t h) {
      if ((table_count + 1) * 4 > table.size() * 3) {
        std::vector<std::uint32_t> old(std::max<std::size_t>(table.size() * 2, 16), detail::kNil);
        old.swap(table);
        table_count = 0;
        for (std::uint32_t s : old) {
          if (s != detail::kNil) table_insert(s, core.meta(s).hash);
        }
      }
      std::size_t mask = table.size() - 1;
      std::size_t pos = h & mask;
      while (table[pos] != detail::kNil) pos = (pos + 1) & mask;
      table[pos] = slot;
      ++table_count;
    }
    void table_erase(std::uint32_t slot) {
      std::size_t mask = table.size() - 1;
      std::size_t i = core.meta(slot).hash & mask;
      while (table[i] != slot) i = (i + 1) & mask;
      // Backward-shift deletion keeps probe chains intact without tombstones.
      for (std::size_t j = i;;) {
        j = (j + 1) & mask;
        std::uint32_t s = table[j];
        if (s == detail::kNil) break;
        std::size_t home = core.meta(s).hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        table[i] = s;
        i = j;
      }
      table[i] = detail::kNil;
      --table_count;
    }
    void invalidate_flight(const K& k) {
      if (flights.empty()) return;
      if (auto it = flights.find(k); it != flights.end()) it->second->invalidated = true;
    }

    mutable std::mutex mu;
    detail::ShardCore core;
    std::vector<std::unique_ptr<SlotStorage[]>> chunks;
    std::vector<std::uint32_t> table;
    std::size_t table_count = 0;
    std::unordered_map<K, std::shared_ptr<Flight>, Hash, KeyEqual> flights;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions_size = 0;
    std::uint64_t evictions_expired = 0;
    std::uint64_t evictions_explicit = 0;
  };

  std::uint64_t hash(const K& key) const { return detail::mix_hash(hash_(key)); }
  Shard& shard(std::uint64_t h) const { return *shards_[(h >> 32) & shard_mask_]; }
  std::int64_t now_ns() const { return clock_->now().time_since_epoch().count(); }

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
    if (s.core.meta(slot).expire_at > now) return false;
    s.core.detach(slot);
    dispose(s, slot, RemovalCause::kExpired, notices);
    return true;
  }

  void store_locked(Shard& s, std::uint64_t h, const K& key, std::optional<V> value,
                    std::int64_t expire_at, std::int64_t now, Notices& notices) {
    auto h32 = static_cast<std::uint32_t>(h);
    std::size_t w = weigh(key, value);
    std::vector<detail::Removal> out;
    std::uint32_t slot = s.find(key, h32, eq_);
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
      auto& m = s.core.meta(slot);
      if (listener_) {
        notices.push_back({key,
                           (m.flags & detail::kFlagAbsent)
                               ? std::nullopt
                               : std::optional<V>(std::move(s.value(slot))),
                           RemovalCause::kReplaced});
      }
      if (!(m.flags & detail::kFlagAbsent)) s.value(slot).~V();
      if (value) {
        new (&s.value(slot)) V(std::move(*value));
        m.flags &= static_cast<std::uint8_t>(~detail::kFlagAbsent);
      } else {
        m.flags |= detail::kFlagAbsent;
      }
      m.written_at = now;
      s.core.update(slot, static_cast<std::uint32_t>(w), expire_at, now, out);
    } else {
      s.core.expire(now, out);  // amortized reclaim, cheap within one tick
      slot = s.core.allocate();
      s.ensure_storage();
      new (&s.key(slot)) K(key);
      auto& m = s.core.meta(slot);
      if (value) {
        new (&s.value(slot)) V(std::move(*value));
      } else {
        m.flags |= detail::kFlagAbsent;
      }
      m.hash = h32;
      m.weight = static_cast<std::uint32_t>(w);
      m.expire_at = expire_at;
      m.written_at = now;
      s.table_insert(slot, h32);
      s.core.insert(slot, now, out);
    }
    for (auto& r : out) dispose(s, r.slot, r.cause, notices);
  }

  // Removes a detached slot from the table, counts it, hands it to the
  // listener (if any) and frees it.
  void dispose(Shard& s, std::uint32_t slot, RemovalCause cause, Notices& notices) {
    s.table_erase(slot);
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
      bool absent = s.core.meta(slot).flags & detail::kFlagAbsent;
      notices.push_back({std::move(s.key(slot)),
                         absent ? std::nullopt : std::optional<V>(std::move(s.value(slot))),
                         cause});
    }
    s.destroy(slot);
  }

  void notify(Notices& notices) {
    for (auto& n : notices) listener_(n.key, n.value ? &*n.value : nullptr, n.cause);
  }

  CacheOptions options_;
  Clock* clock_;
  Weigher weigher_;
  RemovalListener listener_;
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

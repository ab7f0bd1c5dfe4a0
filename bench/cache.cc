// awsperf-bench-cache: the in-process cache against the cache people write by
// hand (one std::mutex around std::unordered_map + std::list) and against a
// GET to a local redis-server. Compare items_per_second within one run.
//
//   get_hit/<impl>/threads:N      every get hits (100k entries, uniform keys)
//   mixed_90_10/<impl>/threads:N  90% get (put on a miss), 10% put; Zipf(0.99)
//                                 keys over 100k, capacity 10k
//   redis_get                     a GET round trip (hiredis, blocking)
//   memory/<impl>                 heap bytes per entry beyond key and value,
//                                 measured as the mallinfo2() delta (uordblks +
//                                 hblkhd, i.e. including mmapped blocks) over 1M
//                                 inserts of 8-byte keys and 8-byte values
#include "awsperf/cache/cache.h"

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "awsperf/cache/simulator.h"
#include "process.h"

namespace {

using awsperf::cache::Cache;
using awsperf::cache::CacheOptions;

// The baseline: what people write by hand.
template <typename K, typename V>
class TextbookLru {
 public:
  explicit TextbookLru(std::size_t capacity) : capacity_(capacity) {}
  std::optional<V> get(const K& key) {
    std::lock_guard lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    list_.splice(list_.begin(), list_, it->second);
    return it->second->second;
  }
  void put(const K& key, V value) {
    std::lock_guard lk(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second->second = std::move(value);
      list_.splice(list_.begin(), list_, it->second);
      return;
    }
    list_.emplace_front(key, std::move(value));
    map_.emplace(key, list_.begin());
    if (map_.size() > capacity_) {
      map_.erase(list_.back().first);
      list_.pop_back();
    }
  }

 private:
  std::mutex mu_;
  std::size_t capacity_;
  std::list<std::pair<K, V>> list_;
  std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator> map_;
};

constexpr std::uint64_t kHitKeys = 100'000;

const std::vector<std::uint64_t>& uniform_keys() {
  static const std::vector<std::uint64_t> keys = [] {
    std::vector<std::uint64_t> k(1 << 20);
    std::mt19937_64 rng(1);
    for (auto& x : k) x = rng() % kHitKeys;
    return k;
  }();
  return keys;
}

const std::vector<std::uint64_t>& zipf_keys() {
  static const std::vector<std::uint64_t> keys = [] {
    auto t = awsperf::cache::synthetic_trace("zipf:0.99:keys=100000:ops=1048576");
    if (!t) std::abort();
    return std::move(*t);
  }();
  return keys;
}

Cache<std::uint64_t, std::uint64_t>& awsperf_hit_cache() {
  static auto* c = [] {
    auto* c = new Cache<std::uint64_t, std::uint64_t>(CacheOptions{.max_entries = 1 << 20});
    for (std::uint64_t k = 0; k < kHitKeys; ++k) c->put(k, k);
    return c;
  }();
  return *c;
}

TextbookLru<std::uint64_t, std::uint64_t>& textbook_hit_cache() {
  static auto* c = [] {
    auto* c = new TextbookLru<std::uint64_t, std::uint64_t>(1 << 20);
    for (std::uint64_t k = 0; k < kHitKeys; ++k) c->put(k, k);
    return c;
  }();
  return *c;
}

template <typename C>
void run_get_hit(benchmark::State& state, C& cache) {
  const auto& keys = uniform_keys();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    auto v = cache.get(keys[i++ & (keys.size() - 1)]);
    if (!v) state.SkipWithError("miss in get_hit");
    sum += *v;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}

void BM_get_hit_awsperf(benchmark::State& state) { run_get_hit(state, awsperf_hit_cache()); }
void BM_get_hit_textbook(benchmark::State& state) { run_get_hit(state, textbook_hit_cache()); }

template <typename C>
void run_mixed(benchmark::State& state, C& cache) {
  const auto& keys = zipf_keys();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 104729;
  std::uint64_t hits = 0, gets = 0;
  for (auto _ : state) {
    std::uint64_t k = keys[i & (keys.size() - 1)];
    if (i++ % 10 == 0) {
      cache.put(k, k);
    } else {
      ++gets;
      if (cache.get(k)) {
        ++hits;
      } else {
        cache.put(k, k);
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_ratio"] =
      benchmark::Counter(gets ? static_cast<double>(hits) / static_cast<double>(gets) : 0,
                         benchmark::Counter::kAvgThreads);
}

void BM_mixed_awsperf(benchmark::State& state) {
  static auto* c = new Cache<std::uint64_t, std::uint64_t>(CacheOptions{.max_entries = 10'000});
  run_mixed(state, *c);
}
void BM_mixed_textbook(benchmark::State& state) {
  static auto* c = new TextbookLru<std::uint64_t, std::uint64_t>(10'000);
  run_mixed(state, *c);
}

void BM_redis_get(benchmark::State& state) {
  static auto peer = awsperf::testutil::start_redis();
  if (!peer) {
    state.SkipWithError(("cannot start redis-server: " + peer.error().to_string()).c_str());
    return;
  }
  redisContext* c = redisConnect("127.0.0.1", peer->port);
  if (c == nullptr || c->err) {
    state.SkipWithError("cannot connect to redis-server");
    if (c) redisFree(c);
    return;
  }
  freeReplyObject(redisCommand(c, "SET bench:key %b", "12345678", static_cast<std::size_t>(8)));
  for (auto _ : state) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "GET bench:key"));
    if (r == nullptr || r->type != REDIS_REPLY_STRING) {
      state.SkipWithError("GET failed");
      if (r) freeReplyObject(r);
      break;
    }
    benchmark::DoNotOptimize(r->str);
    freeReplyObject(r);
  }
  redisFree(c);
  state.SetItemsProcessed(state.iterations());
}

// Bytes malloc has handed out and not taken back, including the blocks it
// serves with mmap (large arrays such as the hash table and the sketch are
// mmapped, and uordblks alone does not count them).
std::size_t heap_in_use() {
  auto mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Heap bytes per entry beyond the 16 bytes of key and value, including the
// hash table, per-entry metadata and (for W-TinyLFU) the frequency sketch of a
// cache sized for exactly these entries.
template <typename Make>
void run_memory(benchmark::State& state, Make make) {
  constexpr std::uint64_t kEntries = 1'000'000;
  double overhead = 0;
  for (auto _ : state) {
    malloc_trim(0);
    auto before = heap_in_use();
    auto cache = make(kEntries);
    for (std::uint64_t k = 0; k < kEntries; ++k) cache->put(k * 2654435761u, k);
    auto after = heap_in_use();
    overhead = static_cast<double>(after - before) / kEntries - 16.0;
    benchmark::DoNotOptimize(cache);
  }
  state.counters["overhead_bytes_per_entry"] = overhead;
}

void BM_memory_awsperf(benchmark::State& state) {
  run_memory(state, [](std::uint64_t n) {
    return std::make_unique<Cache<std::uint64_t, std::uint64_t>>(
        CacheOptions{.max_entries = n, .auto_cleanup = false});
  });
}
void BM_memory_textbook(benchmark::State& state) {
  run_memory(state, [](std::uint64_t n) {
    return std::make_unique<TextbookLru<std::uint64_t, std::uint64_t>>(n);
  });
}

}  // namespace

BENCHMARK(BM_get_hit_awsperf)->Name("get_hit/awsperf")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_get_hit_textbook)->Name("get_hit/textbook_lru")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_mixed_awsperf)->Name("mixed_90_10/awsperf")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_mixed_textbook)
    ->Name("mixed_90_10/textbook_lru")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_redis_get)->Name("redis_get")->UseRealTime();
BENCHMARK(BM_memory_awsperf)->Name("memory/awsperf")->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_memory_textbook)
    ->Name("memory/textbook_lru")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

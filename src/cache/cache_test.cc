#include "awsperf/cache/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace awsperf::cache {
namespace {

using namespace std::chrono_literals;
using StringCache = Cache<std::string, std::string>;

CacheOptions manual(ManualClock& clock, CacheOptions o = {}) {
  o.clock = &clock;
  o.auto_cleanup = false;
  return o;
}

struct Removed {
  std::string key;
  std::optional<std::string> value;
  RemovalCause cause;
};

struct Recorder {
  std::mutex mu;
  std::vector<Removed> removed;
  StringCache::RemovalListener listener() {
    return [this](const std::string& k, const std::string* v, RemovalCause c) {
      std::lock_guard lk(mu);
      removed.push_back({k, v ? std::optional(*v) : std::nullopt, c});
    };
  }
  std::size_t count(RemovalCause c) {
    std::lock_guard lk(mu);
    return std::count_if(removed.begin(), removed.end(), [&](auto& r) { return r.cause == c; });
  }
};

TEST(CacheTest, DefaultsAreDocumented) {
  CacheOptions o;
  EXPECT_EQ(o.max_entries, 1000u);
  EXPECT_EQ(o.max_bytes, 50u << 20);
  EXPECT_EQ(o.ttl, 5min);
  EXPECT_EQ(o.policy, Policy::kWTinyLfu);
  EXPECT_TRUE(o.auto_cleanup);
  EXPECT_EQ(o.cleanup_interval, 60s);
  EXPECT_FALSE(o.shards.has_value());
  StringCache c;
  EXPECT_GE(c.shard_count(), 1u);
  EXPECT_LE(1000 / c.shard_count(), 1000u);
}

TEST(CacheTest, PutGetEraseContainsClear) {
  ManualClock clock;
  StringCache c(manual(clock));
  EXPECT_FALSE(c.get("a"));
  c.put("a", "1");
  c.put("b", "2");
  EXPECT_EQ(c.get("a"), "1");
  EXPECT_TRUE(c.contains("b"));
  EXPECT_FALSE(c.contains("zz"));
  c.put("a", "11");
  EXPECT_EQ(c.get("a"), "11");
  EXPECT_TRUE(c.erase("a"));
  EXPECT_FALSE(c.erase("a"));
  EXPECT_FALSE(c.get("a"));
  EXPECT_EQ(c.size(), 1u);
  c.clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_FALSE(c.contains("b"));
}

TEST(CacheTest, GetAllAndPutAll) {
  ManualClock clock;
  StringCache c(manual(clock));
  c.put_all({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  auto got = c.get_all({"a", "x", "c"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::pair<std::string, std::string>("a", "1")));
  EXPECT_EQ(got[1], (std::pair<std::string, std::string>("c", "3")));
  c.put_all({{"d", "4"}}, 1s);
  clock.advance(2s);
  EXPECT_FALSE(c.get("d"));
  EXPECT_TRUE(c.get("a"));
}

TEST(CacheTest, ShardCountRoundsUpToPowerOfTwo) {
  StringCache c(CacheOptions{.auto_cleanup = false, .shards = 3});
  EXPECT_EQ(c.shard_count(), 4u);
  StringCache small(CacheOptions{.max_entries = 40, .auto_cleanup = false});
  EXPECT_EQ(small.shard_count(), 1u);  // fewer than 32 entries a shard otherwise
}

TEST(CacheTest, TtlDefaultPerEntryAndNever) {
  ManualClock clock;
  Recorder rec;
  StringCache c(manual(clock, {.ttl = 10s}), {.removal_listener = rec.listener()});
  c.put("default", "d");
  c.put("short", "s", 2s);
  c.put("forever", "f", 0s);
  clock.advance(2s);  // exactly at expiry: expired
  EXPECT_FALSE(c.get("short"));
  EXPECT_FALSE(c.contains("short"));
  EXPECT_EQ(c.get("default"), "d");
  clock.advance(8s - 1ns);
  EXPECT_EQ(c.get("default"), "d");
  clock.advance(1ns);
  EXPECT_FALSE(c.get("default"));
  clock.advance(24h * 365);
  EXPECT_EQ(c.get("forever"), "f");
  EXPECT_EQ(rec.count(RemovalCause::kExpired), 2u);
  EXPECT_EQ(c.stats().evictions_expired, 2u);
}

// With the real clock, reads check expiry on the coarse clock (ticks of a
// few ms): an entry with a TTL shorter than a tick must still be served until
// it expires, and not after.
TEST(CacheTest, RealClockServesShortTtlsExactly) {
  Cache<int, int> c(CacheOptions{.auto_cleanup = false});
  int checked = 0;
  for (int attempt = 0; attempt < 200 && checked < 20; ++attempt) {
    auto t0 = std::chrono::steady_clock::now();
    c.put(attempt, attempt, 2ms);
    auto v = c.get(attempt);
    auto t1 = std::chrono::steady_clock::now();
    if (t1 - t0 >= 1ms) continue;  // descheduled: this attempt proves nothing
    ++checked;
    ASSERT_TRUE(v.has_value()) << "attempt " << attempt;
  }
  EXPECT_EQ(checked, 20);
  c.put(-1, -1, 2ms);
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(c.get(-1));
}

TEST(CacheTest, ZeroTtlOptionMeansNoExpiry) {
  ManualClock clock;
  StringCache c(manual(clock, {.ttl = 0s}));
  c.put("k", "v");
  clock.advance(24h * 1000);
  EXPECT_EQ(c.get("k"), "v");
}

TEST(CacheTest, CleanupReclaimsExpiredEntriesWithoutReads) {
  ManualClock clock;
  Recorder rec;
  Cache<int, int> c(manual(clock, {.max_entries = 100000, .ttl = 1h, .shards = 4}));
  // TTLs spread over every wheel level: seconds to days.
  std::mt19937 rng(7);
  std::vector<std::chrono::nanoseconds> ttl(5000);
  for (int i = 0; i < 5000; ++i) {
    ttl[i] = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
        1, i % 3 == 0 ? 5'000 : (i % 3 == 1 ? 3'600'000 : 3 * 86'400'000))(rng));
    c.put(i, i, ttl[i]);
  }
  for (std::chrono::nanoseconds step :
       {std::chrono::nanoseconds(1s), std::chrono::nanoseconds(10s), std::chrono::nanoseconds(100s),
        std::chrono::nanoseconds(1000s), std::chrono::nanoseconds(3h),
        std::chrono::nanoseconds(30h), std::chrono::nanoseconds(100h)}) {
    clock.advance(step);
    c.cleanup();
    // Reclaiming may lag the expiry by one finest wheel tick (~1.07 s), never lead it.
    auto elapsed = clock.now().time_since_epoch() - std::chrono::hours(1);
    std::size_t surely_expired = 0, still_alive = 0;
    for (int i = 0; i < 5000; ++i) {
      if (ttl[i] + 2s <= elapsed) ++surely_expired;
      if (ttl[i] > elapsed) ++still_alive;
    }
    auto entries = c.stats().entries;
    EXPECT_LE(entries, 5000 - surely_expired) << "after " << elapsed.count();
    EXPECT_GE(entries, still_alive) << "after " << elapsed.count();
  }
  EXPECT_EQ(c.stats().entries, 0u);
  EXPECT_EQ(c.stats().evictions_expired, 5000u);
}

TEST(CacheTest, AutoCleanupRunsInTheBackground) {
  ManualClock clock;
  std::mutex mu;
  std::condition_variable cv;
  int expired = 0;
  StringCache c(CacheOptions{.ttl = 1s, .cleanup_interval = 5ms, .clock = &clock},
                {.removal_listener = [&](const std::string&, const std::string*, RemovalCause r) {
                  std::lock_guard lk(mu);
                  if (r == RemovalCause::kExpired) ++expired;
                  cv.notify_all();
                }});
  c.put("a", "1");
  c.put("b", "2");
  clock.advance(5s);
  std::unique_lock lk(mu);
  // The cleanup thread ticks on real time; wait for it, bounded.
  EXPECT_TRUE(cv.wait_for(lk, 10s, [&] { return expired == 2; }));
}

TEST(CacheTest, LruEvictsLeastRecentlyUsed) {
  ManualClock clock;
  Recorder rec;
  StringCache c(manual(clock, {.max_entries = 3, .policy = Policy::kLru, .shards = 1}),
                {.removal_listener = rec.listener()});
  c.put("a", "1");
  c.put("b", "2");
  c.put("c", "3");
  c.get("a");
  c.put("d", "4");  // b is least recently used
  EXPECT_FALSE(c.contains("b"));
  EXPECT_TRUE(c.contains("a"));
  EXPECT_EQ(c.size(), 3u);
  ASSERT_EQ(rec.count(RemovalCause::kSize), 1u);
  EXPECT_EQ(rec.removed[0].key, "b");
  EXPECT_EQ(rec.removed[0].value, "2");
  EXPECT_EQ(c.stats().evictions_size, 1u);
}

TEST(CacheTest, WTinyLfuKeepsFrequentKeysThroughAScan) {
  ManualClock clock;
  // kInline: this is about the policy, so every read must reach it.
  Cache<int, int> tiny(
      manual(clock, {.max_entries = 100, .shards = 1, .read_replay = ReadReplay::kInline}));
  Cache<int, int> lru(manual(clock, {.max_entries = 100,
                                     .policy = Policy::kLru,
                                     .shards = 1,
                                     .read_replay = ReadReplay::kInline}));
  for (auto* c : {&tiny, &lru}) {
    for (int round = 0; round < 20; ++round) {
      for (int k = 0; k < 50; ++k) {
        if (!c->get(k)) c->put(k, k);
      }
    }
    for (int k = 1000; k < 3000; ++k) c->put(k, k);  // a one-off scan
  }
  int tiny_kept = 0, lru_kept = 0;
  for (int k = 0; k < 50; ++k) {
    tiny_kept += tiny.contains(k);
    lru_kept += lru.contains(k);
  }
  EXPECT_GE(tiny_kept, 40);  // most of the 50 survive; the exact count depends on the climber
  EXPECT_EQ(lru_kept, 0);
  EXPECT_LE(tiny.size(), 100u);
}

// The default replay: reads buffered in groups small enough not to overflow
// reach the LRU order through the maintenance thread, with no write to
// trigger them. Without that thread only the first buffer's worth would.
TEST(CacheTest, BackgroundReplayFeedsReadsToThePolicy) {
  ManualClock clock;
  Cache<int, int> c(manual(clock, {.max_entries = 100, .policy = Policy::kLru, .shards = 1}));
  ASSERT_EQ(c.options().read_replay, ReadReplay::kBackground);
  for (int k = 0; k < 100; ++k) c.put(k, k);
  for (int k = 0; k < 56; ++k) {
    ASSERT_TRUE(c.get(k));
    // Each group of 8 fills half a buffer, which asks for a replay.
    if (k % 8 == 7) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (int k = 1000; k < 1044; ++k) c.put(k, k);  // evicts the 44 least recently used
  int kept = 0;
  for (int k = 0; k < 56; ++k) kept += c.contains(k);
  EXPECT_EQ(kept, 56);
  for (int k = 56; k < 100; ++k) EXPECT_FALSE(c.contains(k)) << k;
}

// Readers on many threads never lose a statistic, whatever the buffer drops.
TEST(CacheTest, ConcurrentReadsAreAllCounted) {
  Cache<int, int> c(CacheOptions{.max_entries = 1000, .auto_cleanup = false});
  for (int k = 0; k < 1000; ++k) c.put(k, k);
  constexpr int kThreads = 4, kReads = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < kReads; ++i) {
        auto v = c.get((i * 7 + t) % 1100);  // keys >= 1000 miss
        if (v) {
          EXPECT_EQ(*v, (i * 7 + t) % 1100);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  auto st = c.stats();
  EXPECT_EQ(st.hits + st.misses, static_cast<std::uint64_t>(kThreads) * kReads);
  EXPECT_GT(st.misses, 0u);
  EXPECT_LE(st.entries, 1000u);
}

// A value that counts its live copies.
struct Tracked {
  static inline std::atomic<int> live{0};
  std::string payload;
  explicit Tracked(std::size_t n) : payload(n, 'v') { ++live; }
  Tracked(const Tracked& o) : payload(o.payload) { ++live; }
  Tracked(Tracked&& o) noexcept : payload(std::move(o.payload)) { ++live; }
  Tracked& operator=(const Tracked&) = default;
  ~Tracked() { --live; }
};

// Replaced values are freed once no reader can be copying them, and big ones
// do not pile up: a batch is reclaimed by weight as well as by count.
TEST(CacheTest, ReplacedValuesAreFreedPromptly) {
  ManualClock clock;
  Tracked::live = 0;
  {
    Cache<int, Tracked> c(
        manual(clock, {.max_entries = 10, .max_bytes = 1 << 20, .shards = 1}),
        {.weigher = [](const int&, const Tracked& t) { return t.payload.size(); }});
    for (int i = 0; i < 1000; ++i) c.put(1, Tracked(100 << 10));
    ASSERT_TRUE(c.get(1));
    // One live value in the cache, plus what a weight batch (1/32 of the
    // budget) may hold back: nothing near the 1000 written.
    EXPECT_LE(Tracked::live.load(), 3);
    for (int i = 0; i < 1000; ++i) c.put(i % 7, Tracked(10));
    EXPECT_LE(Tracked::live.load(), 7 + 64 + 1);
  }
  EXPECT_EQ(Tracked::live.load(), 0);  // the destructor frees retired ones too
}

TEST(CacheTest, MaxEntriesHoldsAcrossShards) {
  ManualClock clock;
  Cache<int, int> c(manual(clock, {.max_entries = 1000, .shards = 8}));
  for (int i = 0; i < 100000; ++i) c.put(i, i);
  EXPECT_LE(c.size(), 1000u);
  EXPECT_GE(c.size(), 900u);
}

TEST(CacheTest, ByteLimitIsNeverExceeded) {
  ManualClock clock;
  Recorder rec;
  StringCache c(
      manual(clock, {.max_entries = 1'000'000, .max_bytes = 64 * 1024, .shards = 4}),
      {.weigher = [](const std::string& k, const std::string& v) { return k.size() + v.size(); },
       .removal_listener = rec.listener()});
  std::mt19937 rng(1);
  std::size_t biggest = 0;
  for (int i = 0; i < 20000; ++i) {
    std::size_t n = std::uniform_int_distribution<std::size_t>(1, 2000)(rng);
    biggest = std::max(biggest, n);
    c.put("k" + std::to_string(rng() % 5000), std::string(n, 'x'));
    ASSERT_LE(c.stats().bytes, 64u * 1024) << "after put " << i;
  }
  EXPECT_GT(c.stats().bytes, 32u * 1024);  // and it is actually used
  EXPECT_GT(rec.count(RemovalCause::kSize), 0u);
  // Heavier than a shard's budget (16 KiB): not stored, counted as a size eviction.
  auto before = c.stats().evictions_size;
  c.put("huge", std::string(20000, 'h'));
  EXPECT_FALSE(c.contains("huge"));
  EXPECT_EQ(c.stats().evictions_size, before + 1);
  EXPECT_LE(c.stats().bytes, 64u * 1024);
}

TEST(CacheTest, RemovalListenerGetsEveryCause) {
  ManualClock clock;
  Recorder rec;
  StringCache c(manual(clock, {.max_entries = 2, .policy = Policy::kLru, .shards = 1}),
                {.removal_listener = rec.listener()});
  c.put("a", "1");
  c.put("a", "2");  // replaced
  c.erase("a");     // explicit
  c.put("b", "1", 1s);
  clock.advance(2s);
  EXPECT_FALSE(c.get("b"));  // expired
  c.put("c", "1");
  c.put("d", "1");
  c.put("e", "1");  // size
  c.clear();        // explicit x2
  std::lock_guard lk(rec.mu);
  ASSERT_EQ(rec.removed.size(), 6u);
  EXPECT_EQ(rec.removed[0].cause, RemovalCause::kReplaced);
  EXPECT_EQ(rec.removed[0].value, "1");
  EXPECT_EQ(rec.removed[1].cause, RemovalCause::kExplicit);
  EXPECT_EQ(rec.removed[1].value, "2");
  EXPECT_EQ(rec.removed[2].cause, RemovalCause::kExpired);
  EXPECT_EQ(rec.removed[3].cause, RemovalCause::kSize);
  EXPECT_EQ(rec.removed[3].key, "c");
  EXPECT_EQ(rec.removed[4].cause, RemovalCause::kExplicit);
  EXPECT_EQ(rec.removed[5].cause, RemovalCause::kExplicit);
}

TEST(CacheTest, ListenerMayCallBackIntoTheCache) {
  ManualClock clock;
  StringCache* self = nullptr;
  int calls = 0;
  StringCache c(manual(clock),
                {.removal_listener = [&](const std::string& k, const std::string*, RemovalCause) {
                  ++calls;
                  EXPECT_FALSE(self->contains(k));  // would deadlock if called under the lock
                }});
  self = &c;
  c.put("a", "1");
  c.erase("a");
  EXPECT_EQ(calls, 1);
}

TEST(CacheTest, StatsCountEverything) {
  ManualClock clock;
  StringCache c(manual(clock, {.ttl = 10s}));
  c.put("a", "1");
  c.get("a");
  c.get("a");
  c.get("nope");
  auto r = c.get_or_load("b", [&](const std::string&) -> Result<std::string> {
    clock.advance(250ms);  // the load takes 250 ms of (manual) time
    return "2";
  });
  ASSERT_TRUE(r);
  auto f = c.get_or_load("c", [](const std::string&) -> Result<std::string> {
    return make_error(ErrorCode::kUnavailable, "down");
  });
  EXPECT_FALSE(f);
  c.erase("a");
  clock.advance(11s);
  c.get("b");
  auto s = c.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 4u);  // nope, b, c, expired b
  EXPECT_DOUBLE_EQ(s.hit_rate(), 2.0 / 6.0);
  EXPECT_EQ(s.loads, 1u);
  EXPECT_EQ(s.load_failures, 1u);
  EXPECT_EQ(s.total_load_time, 250ms);
  EXPECT_EQ(s.evictions_explicit, 1u);
  EXPECT_EQ(s.evictions_expired, 1u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes, 0u);
  c.put("x", "yyyy");
  EXPECT_EQ(c.stats().bytes, 2 * sizeof(std::string) + 1 + 4);
}

TEST(CacheTest, GetOrLoadIsSingleFlightUnderConcurrency) {
  ManualClock clock;
  StringCache c(manual(clock));
  constexpr int kThreads = 16;
  std::atomic<int> calls{0};
  std::atomic<int> arrived{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  auto loader = [&](const std::string& k) -> Result<std::string> {
    ++calls;
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return release; });
    return "v-" + k;
  };
  std::vector<std::thread> threads;
  std::vector<std::string> got(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++arrived;
      auto r = c.get_or_load("key", loader);
      got[i] = r ? *r : "error";
    });
  }
  while (arrived < kThreads) std::this_thread::yield();
  // Every thread missed (none can hit before the release); wait until all
  // misses are counted, then let the one loader finish.
  while (c.stats().misses < kThreads) std::this_thread::yield();
  {
    std::lock_guard lk(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls, 1);
  for (auto& g : got) EXPECT_EQ(g, "v-key");
  EXPECT_EQ(c.stats().loads, 1u);
  EXPECT_EQ(c.get("key"), "v-key");
}

TEST(CacheTest, LoadFailureReachesEveryWaiterAndIsNotCached) {
  ManualClock clock;
  StringCache c(manual(clock));
  int calls = 0;
  auto fail = [&](const std::string&) -> Result<std::string> {
    ++calls;
    return make_error(ErrorCode::kTimeout, "slow origin", true);
  };
  auto r = c.get_or_load("k", fail);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_FALSE(c.contains("k"));
  EXPECT_FALSE(c.get_or_load("k", fail));
  EXPECT_EQ(calls, 2);
  auto t = c.get_or_load(
      "t", [](const std::string&) -> Result<std::string> { throw std::runtime_error("boom"); });
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInternal);
}

TEST(CacheTest, PutDuringLoadWins) {
  ManualClock clock;
  StringCache c(manual(clock));
  auto r = c.get_or_load("k", [&](const std::string&) -> Result<std::string> {
    c.put("k", "newer");  // a write (or an invalidation) while the load runs
    return "stale";
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "stale");          // the caller gets what it loaded
  EXPECT_EQ(c.get("k"), "newer");  // but the cache keeps the write
}

TEST(CacheTest, NegativeCaching) {
  ManualClock clock;
  StringCache c(manual(clock, {.negative_ttl = 30s}));
  int calls = 0;
  auto loader = [&](const std::string&) -> Result<std::optional<std::string>> {
    ++calls;
    return std::nullopt;
  };
  auto r = c.get_or_load("ghost", loader);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  r = c.get_or_load("ghost", loader);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(c.contains("ghost"));
  EXPECT_FALSE(c.get("ghost"));
  // A Result<V> loader does not accept "absent" as an answer: it reloads.
  auto v = c.get_or_load("ghost", [](const std::string&) -> Result<std::string> { return "x"; });
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "x");
  c.erase("ghost");
  c.get_or_load("ghost", loader);
  clock.advance(30s);
  c.get_or_load("ghost", loader);
  EXPECT_EQ(calls, 3);
  c.put_absent("other", 5s);
  EXPECT_FALSE(c.contains("other"));
  auto o = c.get_or_load("other", loader);
  ASSERT_TRUE(o);
  EXPECT_EQ(calls, 3);
}

TEST(CacheTest, RefreshAheadServesCurrentValueAndReloadsOnce) {
  ManualClock clock;
  StringCache c(manual(clock, {.ttl = 10min, .refresh_after = 1min}));
  std::atomic<int> calls{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::promise<void> reloaded;
  auto loader = [&](const std::string&) -> Result<std::string> {
    int n = ++calls;
    if (n == 1) return "v1";
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return release; });
    return "v2";
  };
  EXPECT_EQ(*c.get_or_load("k", loader), "v1");
  clock.advance(30s);
  EXPECT_EQ(*c.get_or_load("k", loader), "v1");
  EXPECT_EQ(calls, 1);  // not stale yet
  clock.advance(31s);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(*c.get_or_load("k", loader), "v1");
  {
    std::lock_guard lk(mu);
    release = true;
  }
  cv.notify_all();
  // The reload runs on the cache's background thread; wait for it, bounded.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (c.get("k") != "v2" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(c.get("k"), "v2");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(c.stats().loads, 2u);
}

TEST(CacheTest, WarmLoadsWithProgress) {
  ManualClock clock;
  StringCache c(manual(clock, {.max_entries = 10000}));
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back("k" + std::to_string(i));
  c.put("k0", "already");
  std::atomic<int> calls{0};
  std::vector<std::size_t> seen;
  auto p = c.warm(
      keys,
      [&](const std::string& k) -> Result<std::string> {
        ++calls;
        if (k == "k13") return make_error(ErrorCode::kNotFound, "gone");
        return "v" + k;
      },
      4, [&](const WarmProgress& pr) { seen.push_back(pr.done); });
  EXPECT_EQ(p.total, 200u);
  EXPECT_EQ(p.done, 200u);
  EXPECT_EQ(p.failed, 1u);
  EXPECT_EQ(calls, 199);
  ASSERT_EQ(seen.size(), 200u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_EQ(c.get("k0"), "already");
  EXPECT_EQ(c.get("k199"), "vk199");
  EXPECT_EQ(c.size(), 199u);
}

// Readers copy values while writers replace, erase, evict and expire them:
// values long enough to live on the heap, so a read of a freed entry shows
// up under ASan and TSan, and a torn one fails the comparison.
TEST(CacheTest, ConcurrentMixedOperationsKeepInvariants) {
  ManualClock clock;
  auto val = [](int k) { return std::to_string(k) + std::string(40, '.'); };
  Cache<int, std::string> c(manual(clock, {.max_entries = 500, .max_bytes = 1 << 20}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 20000; ++i) {
        int k = static_cast<int>(rng() % 2000);
        switch (rng() % 7) {
          case 0:
            c.put(k, val(k));
            break;
          case 1:
            c.erase(k);
            break;
          case 2:
            (void)c.get_or_load(k, [](const int& key) -> Result<std::string> {
              return std::to_string(key) + std::string(40, '.');
            });
            break;
          case 3:
            if (t == 0) clock.advance(1s);
            c.put(k, val(k), 2s);
            break;
          case 4:
            if (i % 5000 == 4999) c.clear();
            [[fallthrough]];
          default:
            if (auto v = c.get(k)) {
              EXPECT_EQ(*v, val(k));
            }
        }
      }
    });
  }
  std::thread cleaner([&] {
    for (int i = 0; i < 200; ++i) c.cleanup();
  });
  for (auto& t : threads) t.join();
  cleaner.join();
  EXPECT_LE(c.size(), 500u);
}

}  // namespace
}  // namespace awsperf::cache

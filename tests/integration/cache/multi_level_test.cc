// MultiLevelCache and RedisCache against a real redis-server on a free port.
#include "awsperf/cache/multi_level.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "awsperf/cache/redis_cache.h"
#include "process.h"

namespace awsperf::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <typename T>
asio::awaitable<void> store(asio::awaitable<T> aw, std::optional<T>* out) {
  out->emplace(co_await std::move(aw));
}
asio::awaitable<void> finish(asio::awaitable<void> aw, bool* done) {
  co_await std::move(aw);
  *done = true;
}

// Runs one awaitable to completion on a fresh io_context.
template <typename T>
T run(asio::awaitable<T> aw) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, store(std::move(aw), &out), asio::detached);
  io.run();
  return std::move(*out);
}
void run_void(asio::awaitable<void> aw) {
  asio::io_context io;
  bool done = false;
  asio::co_spawn(io, finish(std::move(aw), &done), asio::detached);
  io.run();
  EXPECT_TRUE(done);
}

// Polls `pred` for up to `limit` of real time: cross-process delivery is
// asynchronous by nature.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

struct Origin {
  std::atomic<int> calls{0};
  std::string version = "v1";
  MultiLevelCache::Loader loader() {
    return [this](const std::string& key) -> asio::awaitable<Result<std::optional<std::string>>> {
      return load(this, key);
    };
  }
  static asio::awaitable<Result<std::optional<std::string>>> load(Origin* self, std::string key) {
    ++self->calls;
    if (key.starts_with("missing")) co_return std::optional<std::string>();
    co_return std::optional<std::string>(key + "=" + self->version);
  }
};

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto peer = testutil::start_redis();
    ASSERT_TRUE(peer) << "redis-server is required: " << peer.error().to_string();
    redis_ = std::move(*peer);
  }

  RedisOptions options(std::string prefix) {
    return RedisOptions{.port = redis_.port,
                        .key_prefix = prefix,
                        .channel = prefix + "invalidate",
                        .backoff_initial = 20ms,
                        .backoff_max = 200ms};
  }

  // A raw hiredis command, to look at what is stored.
  std::optional<std::string> raw(const char* fmt, const std::string& a) {
    redisContext* c = redisConnect("127.0.0.1", redis_.port);
    if (c == nullptr || c->err) return std::nullopt;
    auto* r = static_cast<redisReply*>(redisCommand(c, fmt, a.data(), a.size()));
    std::optional<std::string> out;
    if (r && r->type == REDIS_REPLY_STRING) out.emplace(r->str, r->len);
    if (r && r->type == REDIS_REPLY_INTEGER) out = std::to_string(r->integer);
    if (r) freeReplyObject(r);
    redisFree(c);
    return out;
  }

  testutil::Peer redis_;
};

TEST_F(RedisTest, StoreGetMultiGetDeleteWithPrefixFormatAndTtl) {
  RedisCache l2(options("t1:"));
  ASSERT_TRUE(run(l2.set("a", "alpha", 60s)));
  ASSERT_TRUE(run(l2.set("b", std::string("\0bin\xff", 5), 0ms)));
  auto a = run(l2.get("a"));
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(*a, "alpha");
  EXPECT_EQ(*run(l2.get("nope")), std::nullopt);
  auto many = run(l2.multi_get({"a", "nope", "b"}));
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0], "alpha");
  EXPECT_EQ((*many)[1], std::nullopt);
  EXPECT_EQ((*many)[2], std::string("\0bin\xff", 5));

  // On the wire: the prefix, a format byte of 1, and PX.
  EXPECT_EQ(raw("GET %b", std::string("t1:a")), std::string("\x01"
                                                            "alpha"));
  auto pttl = std::stoll(raw("PTTL %b", std::string("t1:a")).value_or("-9"));
  EXPECT_GT(pttl, 50'000);
  EXPECT_LE(pttl, 60'000);
  EXPECT_EQ(raw("PTTL %b", std::string("t1:b")), "-1");  // no expiry

  // A value in an unknown format reads as absent and is counted.
  raw("SET t1:old %b", std::string("legacy"));
  EXPECT_EQ(*run(l2.get("old")), std::nullopt);
  EXPECT_EQ(l2.stats().format_errors, 1u);

  ASSERT_TRUE(run(l2.del("a")));
  EXPECT_EQ(*run(l2.get("a")), std::nullopt);

  auto big = l2.set_blocking("big", std::string(17u << 20, 'x'), 0ms);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
}

TEST_F(RedisTest, ReadsFillUpwardThroughBothLevels) {
  auto l2 = std::make_shared<RedisCache>(options("t2:"));
  MultiLevelCache cache(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2);
  // (Re)subscribing clears L1, so start once subscribed.
  ASSERT_TRUE(eventually([&] { return l2->subscribed(); }));
  Origin origin;
  auto r = run(cache.get("k", origin.loader()));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "k=v1");
  EXPECT_EQ(origin.calls, 1);
  EXPECT_EQ(l2->get_blocking("k").value(), "k=v1");  // filled L2
  EXPECT_TRUE(cache.l1().contains("k"));             // and L1
  EXPECT_EQ(*run(cache.get("k", origin.loader())), "k=v1");
  EXPECT_EQ(origin.calls, 1);

  cache.l1().clear();  // L2 answers now
  EXPECT_EQ(*run(cache.get("k", origin.loader())), "k=v1");
  EXPECT_EQ(origin.calls, 1);
  EXPECT_EQ(cache.stats().l2_hits, 1u);

  auto absent = run(cache.get("missing-1", origin.loader()));
  ASSERT_TRUE(absent);
  EXPECT_EQ(*absent, std::nullopt);
  run(cache.get("missing-1", origin.loader()));
  EXPECT_EQ(origin.calls, 2);  // negatively cached in L1

  run_void(cache.put("p", "direct"));
  cache.l1().clear();
  auto many = run(cache.get_many({"k", "p", "zzz"}));
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0], "k=v1");
  EXPECT_EQ(many[1], "direct");
  EXPECT_EQ(many[2], std::nullopt);
  EXPECT_EQ(run(cache.get("p")), "direct");
}

TEST_F(RedisTest, TwoInstancesStayCoherentAfterWritesAndDeletes) {
  auto l2a = std::make_shared<RedisCache>(options("t3:"));
  auto l2b = std::make_shared<RedisCache>(options("t3:"));
  MultiLevelCache a(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2a);
  MultiLevelCache b(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2b);
  ASSERT_TRUE(eventually([&] { return l2a->subscribed() && l2b->subscribed(); }));
  EXPECT_NE(a.instance_id(), b.instance_id());

  run_void(a.put("user:1", "alice"));
  EXPECT_EQ(run(b.get("user:1")), "alice");  // from L2, now in b's L1 too
  EXPECT_TRUE(b.l1().contains("user:1"));

  run_void(a.put("user:1", "alice-2"));
  ASSERT_TRUE(eventually([&] { return !b.l1().contains("user:1"); }))
      << "b never received the invalidation";
  EXPECT_EQ(run(b.get("user:1")), "alice-2");
  EXPECT_EQ(a.l1().get("user:1"), "alice-2");  // its own write survived its own message

  run_void(b.invalidate("user:1"));
  ASSERT_TRUE(eventually([&] { return !a.l1().contains("user:1"); }));
  EXPECT_EQ(run(a.get("user:1")), std::nullopt);
  EXPECT_EQ(run(b.get("user:1")), std::nullopt);
  EXPECT_GE(a.stats().invalidations_received, 1u);
  EXPECT_GE(b.stats().invalidations_received, 1u);

  // Many writes from both sides: each side ends with the last value.
  for (int i = 0; i < 50; ++i) {
    run_void((i % 2 ? a : b).put("counter", std::to_string(i)));
  }
  ASSERT_TRUE(eventually([&] {
    return run(a.get("counter")) == std::optional<std::string>("49") &&
           run(b.get("counter")) == std::optional<std::string>("49");
  }));
}

TEST_F(RedisTest, RedisKilledAndRestartedMidTest) {
  auto l2a = std::make_shared<RedisCache>(options("t4:"));
  auto l2b = std::make_shared<RedisCache>(options("t4:"));
  MultiLevelCache a(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2a);
  MultiLevelCache b(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2b);
  ASSERT_TRUE(eventually([&] { return l2a->subscribed() && l2b->subscribed(); }));
  Origin origin;
  ASSERT_EQ(*run(a.get("k1", origin.loader())), "k1=v1");
  ASSERT_EQ(*run(b.get("k1", origin.loader())), "k1=v1");  // from L2
  EXPECT_EQ(origin.calls, 1);
  auto resets_before = b.stats().l1_resets;

  // Kill redis. Nothing reaches the callers; L1 and the origin keep serving.
  int port = redis_.port;
  redis_.process.stop(9);
  ASSERT_TRUE(eventually([&] { return !l2a->subscribed() && !l2b->subscribed(); }));
  // Losing the subscription cleared L1 (invalidations may be missed from now on).
  EXPECT_GT(b.stats().l1_resets, resets_before);
  EXPECT_FALSE(b.l1().contains("k1"));
  for (int i = 0; i < 20; ++i) {
    auto r = run(a.get("down" + std::to_string(i), origin.loader()));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(**r, "down" + std::to_string(i) + "=v1");
  }
  auto again = run(a.get("down0", origin.loader()));
  ASSERT_TRUE(again);
  EXPECT_EQ(**again, "down0=v1");  // from L1
  run_void(a.put("while-down", "x"));
  run_void(a.invalidate("k1"));
  EXPECT_EQ(run(a.get("while-down")), "x");
  EXPECT_GT(a.stats().l2_errors, 0u);
  EXPECT_GT(l2a->stats().failures, 0u);

  // Restart redis on the same port: both recover by themselves.
  auto restarted =
      testutil::Process::start({"redis-server", "--port", std::to_string(port), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no"});
  ASSERT_TRUE(restarted) << restarted.error().to_string();
  redis_.process = std::move(*restarted);
  ASSERT_TRUE(testutil::wait_for_port(port, 10s));
  ASSERT_TRUE(eventually([&] { return l2a->subscribed() && l2b->subscribed(); }))
      << "the subscriptions did not come back";
  EXPECT_GE(l2b->stats().subscriptions, 2u);

  // Writes reach L2 again (after the pool's backoff), and coherence is back.
  ASSERT_TRUE(eventually([&] {
    run_void(a.put("after", "v-after"));
    auto v = l2b->get_blocking("after");
    return v && *v == std::optional<std::string>("v-after");
  }));
  EXPECT_EQ(run(b.get("after")), "v-after");
  run_void(a.put("after", "v-after-2"));
  ASSERT_TRUE(
      eventually([&] { return run(b.get("after")) == std::optional<std::string>("v-after-2"); }));
  auto fresh = run(b.get("k1", origin.loader()));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(**fresh, "k1=v1");
}

struct Point {
  int x = 0;
  int y = 0;
};
struct PointCodec {
  static std::string encode(const Point& p) {
    return std::to_string(p.x) + "," + std::to_string(p.y);
  }
  static Result<Point> decode(std::string_view b) {
    auto comma = b.find(',');
    if (comma == std::string_view::npos) return make_error(ErrorCode::kParse, "no comma");
    return Point{std::stoi(std::string(b.substr(0, comma))),
                 std::stoi(std::string(b.substr(comma + 1)))};
  }
};
static_assert(Codec<PointCodec, Point>);

asio::awaitable<Result<std::optional<Point>>> load_point() {
  co_return std::optional<Point>(Point{3, 4});
}

TEST_F(RedisTest, TypedFacadeRoundTripsThroughTheCodec) {
  auto l2 = std::make_shared<RedisCache>(options("t5:"));
  MultiLevelCache bytes(MultiLevelOptions{.l1 = {.auto_cleanup = false}}, l2);
  ASSERT_TRUE(eventually([&] { return l2->subscribed(); }));
  TypedCache<Point, PointCodec> points(bytes);
  int calls = 0;
  TypedCache<Point, PointCodec>::Loader loader =
      [&](const std::string&) -> asio::awaitable<Result<std::optional<Point>>> {
    ++calls;
    return load_point();
  };
  auto p = run(points.get("p1", loader));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->x, 3);
  EXPECT_EQ(l2->get_blocking("p1").value(), "3,4");
  run_void(points.put("p2", Point{5, 6}));
  auto p2 = run(points.get("p2", loader));
  ASSERT_TRUE(p2 && p2->has_value());
  EXPECT_EQ((*p2)->y, 6);
  EXPECT_EQ(calls, 1);
  run_void(bytes.put("bad", "garbage"));
  auto bad = run(points.get("bad", loader));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace awsperf::cache

#include "awsperf/query/batch.h"

#include <gtest/gtest.h>

#include "awsperf/query/expression.h"
#include "awsperf/query/optimizer.h"
#include "query/key_text.h"

namespace awsperf::query {
namespace {

namespace dd = awsperf::dynamodb;

std::vector<dd::Key> keys(int n, const std::string& prefix = "k") {
  std::vector<dd::Key> out;
  for (int i = 0; i < n; ++i) out.push_back({{"id", prefix + std::to_string(i)}});
  return out;
}

TEST(Chunking, DedupesAndSplitsAt100AcrossTables) {
  std::map<std::string, dd::KeysAndAttributes> req;
  req["a"].keys = keys(150);
  req["a"].keys.push_back({{"id", "k3"}});  // duplicate
  req["a"].keys.push_back({{"id", "k7"}});  // duplicate
  req["a"].projection_expression = "id, v";
  req["b"].keys = keys(60, "b");
  EXPECT_EQ(dedupe_keys(req), 2u);
  EXPECT_EQ(req["a"].keys.size(), 150u);
  auto chunks = chunk_batch_get(req, 100);
  ASSERT_EQ(chunks.size(), 3u);
  auto count = [](const dd::BatchGetItemRequest& c) {
    std::size_t n = 0;
    for (const auto& [t, ka] : c.request_items) n += ka.keys.size();
    return n;
  };
  EXPECT_EQ(count(chunks[0]), 100u);
  EXPECT_EQ(count(chunks[1]), 100u);  // 50 of a + 50 of b
  EXPECT_EQ(chunks[1].request_items.size(), 2u);
  EXPECT_EQ(chunks[1].request_items.at("a").projection_expression, "id, v");
  EXPECT_FALSE(chunks[1].request_items.at("b").projection_expression.has_value());
  EXPECT_EQ(count(chunks[2]), 10u);
  EXPECT_TRUE(chunk_batch_get({}, 100).empty());
}

TEST(Chunking, SixteenMegabyteLimitFromItemSize) {
  EXPECT_EQ(keys_per_chunk(100, std::nullopt), 100u);
  EXPECT_EQ(keys_per_chunk(500, std::nullopt), 100u);
  EXPECT_EQ(keys_per_chunk(0, std::nullopt), 1u);
  EXPECT_EQ(keys_per_chunk(100, 1024), 100u);
  EXPECT_EQ(keys_per_chunk(100, 350 * 1024), 46u);  // 16 MiB / 350 KiB
  EXPECT_EQ(keys_per_chunk(100, 400 * 1024), 40u);
  EXPECT_EQ(keys_per_chunk(100, 64u << 20), 1u);
}

TEST(Chunking, WritesSplitAt25) {
  std::map<std::string, std::vector<dd::WriteRequest>> req;
  for (int i = 0; i < 30; ++i) req["a"].push_back({.put_item = dd::Item{{"id", i}}});
  for (int i = 0; i < 30; ++i) req["b"].push_back({.delete_key = dd::Key{{"id", i}}});
  auto chunks = chunk_batch_write(req, 25);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].request_items.at("a").size(), 25u);
  EXPECT_EQ(chunks[1].request_items.at("a").size(), 5u);
  EXPECT_EQ(chunks[1].request_items.at("b").size(), 20u);
  EXPECT_EQ(chunks[2].request_items.at("b").size(), 10u);
  EXPECT_EQ(chunk_batch_write(req, 100).size(), 3u);  // clamped to 25
}

TEST(WriteConflicts, IdenticalMergedDifferentRejectedOrLastWins) {
  std::vector<std::string> names = {"pk", "sk"};
  std::vector<dd::WriteRequest> w = {
      {.put_item = dd::Item{{"pk", "a"}, {"sk", 1}, {"v", 1}}},
      {.put_item = dd::Item{{"pk", "a"}, {"sk", 1}, {"v", 1}}},  // identical
      {.put_item = dd::Item{{"pk", "a"}, {"sk", 2}, {"v", 1}}},
  };
  auto r = resolve_write_conflicts(w, names, false, "t");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r, 1u);
  EXPECT_EQ(w.size(), 2u);

  std::vector<dd::WriteRequest> c = {
      {.put_item = dd::Item{{"pk", "a"}, {"sk", 1}, {"v", 1}}},
      {.delete_key = dd::Key{{"pk", "a"}, {"sk", 1}}},
  };
  auto copy = c;
  auto rejected = resolve_write_conflicts(copy, names, false, "t");
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rejected.error().message.find("two different writes"), std::string::npos);
  auto last = resolve_write_conflicts(c, names, true, "t");
  ASSERT_TRUE(last.has_value());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].delete_key.has_value());

  std::vector<dd::WriteRequest> nokey = {{.put_item = dd::Item{{"pk", "a"}}}};
  EXPECT_FALSE(resolve_write_conflicts(nokey, names, false, "t").has_value());
  std::vector<dd::WriteRequest> both = {{}};
  EXPECT_FALSE(resolve_write_conflicts(both, names, false, "t").has_value());
}

TEST(Backoff, FullJitterWithinExponentialCap) {
  std::mt19937_64 rng(42);
  using std::chrono::milliseconds;
  EXPECT_EQ(full_jitter_backoff(0, milliseconds(25), milliseconds(2000), rng).count(), 0);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    auto cap = std::min<std::int64_t>(25'000'000ll << (attempt - 1), 2'000'000'000ll);
    std::int64_t max_seen = 0;
    for (int i = 0; i < 200; ++i) {
      auto d = full_jitter_backoff(attempt, milliseconds(25), milliseconds(2000), rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap) << attempt;
      max_seen = std::max(max_seen, d);
    }
    // Full jitter spreads over the whole range, not just near the cap.
    EXPECT_GT(max_seen, cap / 2) << attempt;
  }
}

TEST(Keys, ExtractAndKeyString) {
  dd::Item item{{"pk", "a"}, {"sk", 1}, {"v", "x"}};
  EXPECT_EQ(extract_key(item, {"pk", "sk"}), (dd::Key{{"pk", "a"}, {"sk", 1}}));
  EXPECT_EQ(key_string({{"pk", "a"}, {"sk", 1}}), key_string({{"sk", 1}, {"pk", "a"}}));
  EXPECT_NE(key_string({{"pk", "a"}}), key_string({{"pk", "b"}}));
}

// key_string writes the usual keys directly: the text must be exactly the
// JSON text of the key, whatever the key holds.
TEST(Keys, KeyStringIsTheJsonText) {
  std::vector<dd::Key> keys = {
      {},
      {{"pk", "a"}},
      {{"pk", "p123"}, {"sk", 7}},
      {{"pk", ""}, {"sk", dd::Number{"-1.5e+10"}}},
      {{"pk", "quote \" inside"}},
      {{"pk", "back\\slash"}},
      {{"pk", "tab\tnew\nline\x01"}},
      {{"pk", "caf\xc3\xa9 \xe2\x82\xac"}},
      {{"pk", "del\x7f"}},
      {{"na\"me", "x"}},
      {{"pk", dd::AttributeValue::binary(std::string("\0\xff", 2))}},
      {{"pk", true}, {"sk", nullptr}},
      {{"pk", dd::Number{"NaN"}}},
      {{"pk", dd::Item{{"m", 1}}}},
      {{"a", "1"}, {"b", 2}, {"c", dd::AttributeValue::binary("z")}},
  };
  for (const auto& k : keys) {
    auto json = dd::to_json(k);
    EXPECT_EQ(key_string(k), json ? *json : std::string("<unencodable key>"));
  }
  // From an item, without copying the key out.
  dd::Item item{{"pk", "p9"}, {"sk", 3}, {"v", "x"}};
  std::string text;
  ASSERT_TRUE(detail::fast_key_text(item, std::vector<std::string>{"pk", "sk"}, text));
  EXPECT_EQ(text, key_string(extract_key(item, {"pk", "sk"})));
  dd::Item odd{{"pk", "a\"b"}, {"sk", 3}};
  EXPECT_FALSE(detail::fast_key_text(odd, std::vector<std::string>{"pk", "sk"}, text));
}

TEST(ScanSegments, DerivedFromTableSize) {
  dd::TableDescription t;
  EXPECT_EQ(default_scan_segments(t), 1);
  t.table_size_bytes = 100 << 20;
  EXPECT_EQ(default_scan_segments(t), 1);
  t.table_size_bytes = 1ll << 30;
  EXPECT_EQ(default_scan_segments(t), 4);
  t.table_size_bytes = 1ll << 40;
  EXPECT_EQ(default_scan_segments(t), 64);
  t.table_size_bytes.reset();
  t.item_count = 1'000'000;
  EXPECT_EQ(default_scan_segments(t), 4);
}

}  // namespace
}  // namespace awsperf::query

// The query layer against dynalite: parallel queries, pagination, parallel
// scans, cached queries, and batch reads/writes including UnprocessedKeys.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <set>

#include "awsperf/dynamodb/client.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/query/batch.h"
#include "awsperf/query/expression.h"
#include "awsperf/query/optimizer.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::query {
namespace {

namespace asio = boost::asio;
namespace dd = awsperf::dynamodb;
using testutil::Peer;

class QueryLayerTest : public testutil::PeerSuite<testutil::start_dynalite> {
 protected:
  void SetUp() override {
    ASSERT_NE(peer_, nullptr) << "dynalite did not start";
    auto c =
        dd::BlockingClient::create({.endpoint_url = peer_->endpoint(),
                                    .region = "us-east-1",
                                    .credentials = aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                                                    .secret_access_key = "secret",
                                                                    .source = "test"},
                                    .monitor = &monitor_});
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    client_ = std::move(*c);
  }

  dd::Client& async() { return client_->async_client(); }

  // Runs a coroutine on the client's io_context and waits for it.
  template <typename T>
  T run(asio::awaitable<T> op) {
    return asio::co_spawn(async().executor(), std::move(op), asio::use_future).get();
  }

  std::uint64_t calls() const { return client_->statistics().calls; }

  void create_table(const std::string& name, bool composite = true) {
    dd::CreateTableRequest req{.table_name = name,
                               .provisioned_throughput = dd::ProvisionedThroughput{100, 100}};
    req.attribute_definitions = {{"pk", dd::ScalarType::kS}};
    req.key_schema = {{"pk", dd::KeyType::kHash}};
    if (composite) {
      req.attribute_definitions.push_back({"sk", dd::ScalarType::kN});
      req.key_schema.push_back({"sk", dd::KeyType::kRange});
    }
    auto t = client_->create_table(req);
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    auto active = client_->wait_until_active(name);
    ASSERT_TRUE(active.has_value()) << active.error().to_string();
  }

  // `partitions` partitions of `per_partition` items each: pk "p<i>", sk 0..n-1.
  void fill(const std::string& table, int partitions, int per_partition) {
    BatchOptimizer batch(async());
    batch.set_key_schema(table, {"pk", "sk"});
    std::map<std::string, std::vector<dd::WriteRequest>> writes;
    for (int p = 0; p < partitions; ++p) {
      for (int s = 0; s < per_partition; ++s) {
        writes[table].push_back(
            {.put_item = dd::Item{
                 {"pk", "p" + std::to_string(p)}, {"sk", s}, {"v", "value-" + std::to_string(s)}}});
      }
    }
    auto r = run(batch.batch_write(std::move(writes)));
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    ASSERT_TRUE(r->complete());
    ASSERT_EQ(r->written, static_cast<std::size_t>(partitions * per_partition));
  }

  monitor::PerformanceMonitor monitor_;
  std::unique_ptr<dd::BlockingClient> client_;
};

dd::QueryRequest partition_query(const std::string& table, const std::string& pk) {
  return QueryBuilder(table).key_schema("pk", "sk").key(eq("pk", pk)).build().value();
}

TEST_F(QueryLayerTest, ParallelQueryKeepsOrderAndReportsErrorsPerRequest) {
  create_table("pquery");
  fill("pquery", 8, 30);
  QueryOptimizer opt(async());
  std::vector<dd::QueryRequest> reqs;
  for (int p = 0; p < 8; ++p) reqs.push_back(partition_query("pquery", "p" + std::to_string(p)));
  reqs.insert(reqs.begin() + 3, partition_query("no_such_table", "p0"));
  auto results = run(opt.parallel_query(reqs, 4));
  ASSERT_EQ(results.size(), 9u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i == 3) {
      ASSERT_FALSE(results[i].has_value());
      EXPECT_EQ(results[i].error().aws_type, "ResourceNotFoundException");
      continue;
    }
    ASSERT_TRUE(results[i].has_value()) << i << ": " << results[i].error().to_string();
    const std::string want = "p" + std::to_string(i < 3 ? i : i - 1);
    ASSERT_EQ(results[i]->items.size(), 30u) << want;
    for (const auto& item : results[i]->items) EXPECT_EQ(*item.at("pk").as_string(), want);
  }
  EXPECT_EQ(opt.statistics().queries, 9u);
}

TEST_F(QueryLayerTest, PaginateStoppingEarlyFetchesNoFurtherPages) {
  create_table("pages");
  fill("pages", 1, 30);
  QueryOptimizer opt(async());
  auto req = partition_query("pages", "p0");
  req.limit = 5;
  auto before = calls();
  auto pages = opt.paginate(req);
  auto read_two = [](Paginator& p) -> asio::awaitable<std::vector<dd::Item>> {
    std::vector<dd::Item> out;
    for (int i = 0; i < 2; ++i) {
      auto page = co_await p.next_page();
      if (!page || !*page) break;
      for (auto& item : (*page)->items) out.push_back(std::move(item));
    }
    co_return out;
  };
  auto first = run(read_two(pages));
  EXPECT_EQ(first.size(), 10u);
  EXPECT_EQ(pages.pages_fetched(), 2u);
  EXPECT_EQ(calls() - before, 2u) << "stopping after two pages must send exactly two requests";
  EXPECT_FALSE(pages.done());

  // Item by item, to the end: every item exactly once, in sort-key order.
  auto rest = [](Paginator& p) -> asio::awaitable<Result<std::vector<dd::Item>>> {
    std::vector<dd::Item> out;
    while (true) {
      auto item = co_await p.next_item();
      if (!item) co_return std::unexpected(item.error());
      if (!*item) break;
      out.push_back(std::move(**item));
    }
    co_return out;
  };
  auto all = opt.paginate(req);
  auto items = run(rest(all));
  ASSERT_TRUE(items.has_value()) << items.error().to_string();
  ASSERT_EQ(items->size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ((*items)[i].at("sk").to_int64().value(), i);
  EXPECT_TRUE(all.done());
}

TEST_F(QueryLayerTest, ParallelScanCoversTheTableExactlyOnce) {
  create_table("scan");
  fill("scan", 10, 50);
  QueryOptimizer opt(async());
  for (int segments : {4, 7, 0}) {
    auto r = run(opt.parallel_scan({.table_name = "scan", .limit = 37}, segments, 3));
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    std::set<std::string> seen;
    for (const auto& item : r->items) {
      EXPECT_TRUE(seen.insert(key_string(extract_key(item, {"pk", "sk"}))).second)
          << "an item came twice with " << segments << " segments";
    }
    EXPECT_EQ(seen.size(), 500u) << segments;
    EXPECT_GT(r->pages, 1u);
  }
  auto bad = run(opt.parallel_scan({.table_name = "scan", .segment = 0, .total_segments = 2}, 4));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(QueryLayerTest, CachedQueryHitsAcrossSpellingsAndInvalidates) {
  create_table("cached");
  fill("cached", 3, 10);
  ManualClock clock;
  QueryOptimizer opt(async(), {.clock = &clock});
  auto ttl = std::chrono::seconds(30);
  auto a = partition_query("cached", "p1");
  dd::QueryRequest b{.table_name = "cached",
                     .key_condition_expression = "#k =   :x",
                     .expression_attribute_names = {{"#k", "pk"}},
                     .expression_attribute_values = {{":x", "p1"}},
                     .scan_index_forward = true};

  auto before = calls();
  auto r1 = run(opt.cached_query(a, ttl));
  ASSERT_TRUE(r1.has_value()) << r1.error().to_string();
  EXPECT_EQ((*r1)->items.size(), 10u);
  EXPECT_EQ(calls() - before, 1u);
  auto r2 = run(opt.cached_query(b, ttl));  // the same query written another way
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->get(), r1->get());
  EXPECT_EQ(calls() - before, 1u) << "a hit must not reach the database";
  EXPECT_EQ(opt.statistics().cache_hits, 1u);

  // A write to that partition invalidates by key.
  ASSERT_TRUE(client_->put_item({.table_name = "cached", .item = {{"pk", "p1"}, {"sk", 99}}}));
  before += 1;  // the PutItem itself
  EXPECT_EQ(opt.invalidate_key("cached", {{"pk", "p1"}, {"sk", 99}}), 1u);
  EXPECT_EQ(opt.invalidate_key("cached", {{"pk", "p2"}, {"sk", 0}}), 0u);
  auto r3 = run(opt.cached_query(a, ttl));
  ASSERT_TRUE(r3.has_value());
  EXPECT_EQ((*r3)->items.size(), 11u);
  EXPECT_EQ(calls() - before, 2u);

  // By table.
  EXPECT_EQ(opt.invalidate_table("cached"), 1u);
  ASSERT_TRUE(run(opt.cached_query(b, ttl)).has_value());
  EXPECT_EQ(calls() - before, 3u);

  // Expiry reads the injected clock.
  ASSERT_TRUE(run(opt.cached_query(b, ttl)).has_value());
  EXPECT_EQ(calls() - before, 3u);
  clock.advance(std::chrono::seconds(31));
  ASSERT_TRUE(run(opt.cached_query(b, ttl)).has_value());
  EXPECT_EQ(calls() - before, 4u);

  // Errors are not cached.
  auto missing = partition_query("no_such_table", "p1");
  EXPECT_FALSE(run(opt.cached_query(missing, ttl)).has_value());
  EXPECT_FALSE(run(opt.cached_query(missing, ttl)).has_value());
  EXPECT_EQ(calls() - before, 6u);
}

TEST_F(QueryLayerTest, BatchGetDuplicatesChunksMissingAndMultiTable) {
  create_table("bg1");
  create_table("bg2", /*composite=*/false);
  fill("bg1", 3, 80);  // 240 items
  ASSERT_TRUE(client_->put_item({.table_name = "bg2", .item = {{"pk", "solo"}, {"v", 1}}}));
  BatchOptimizer batch(async(), {.max_concurrency = 3});
  std::map<std::string, dd::KeysAndAttributes> req;
  for (int p = 0; p < 3; ++p) {
    for (int s = 0; s < 80; ++s)
      req["bg1"].keys.push_back({{"pk", "p" + std::to_string(p)}, {"sk", s}});
  }
  for (int s = 0; s < 20; ++s) req["bg1"].keys.push_back({{"pk", "p0"}, {"sk", s}});   // duplicates
  for (int s = 0; s < 5; ++s) req["bg1"].keys.push_back({{"pk", "nope"}, {"sk", s}});  // absent
  req["bg2"].keys = {{{"pk", "solo"}}, {{"pk", "ghost"}}};
  auto before = calls();
  auto r = run(batch.batch_get(std::move(req)));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->complete());
  EXPECT_EQ(r->items["bg1"].size(), 240u);
  EXPECT_EQ(r->items["bg2"].size(), 1u);
  ASSERT_NE(r->find("bg1", {{"pk", "p2"}, {"sk", 79}}), nullptr);
  EXPECT_EQ(*r->find("bg1", {{"pk", "p2"}, {"sk", 79}})->at("v").as_string(), "value-79");
  ASSERT_EQ(r->missing["bg1"].size(), 5u);
  for (int s = 0; s < 5; ++s) {  // in request order
    EXPECT_EQ(r->missing["bg1"][s], (dd::Key{{"pk", "nope"}, {"sk", s}})) << s;
  }
  ASSERT_EQ(r->missing["bg2"].size(), 1u);
  EXPECT_EQ(r->missing["bg2"][0], (dd::Key{{"pk", "ghost"}}));
  // 247 unique keys -> 3 chunks of <= 100.
  EXPECT_EQ(calls() - before, 3u);
  auto st = batch.statistics();
  EXPECT_EQ(st.duplicates_removed, 20u);
  EXPECT_EQ(st.chunks, 3u);
  EXPECT_EQ(st.items_read, 241u);

  // Malformed input is rejected before sending.
  auto bad = run(batch.batch_get({{"bg1", {.keys = {{{"pk", "a"}, {"sk", 1}}, {{"pk", "b"}}}}}}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

// Answers are matched to keys by their key attributes, so a projection that
// leaves them out must still find every item (and return only what was asked).
TEST_F(QueryLayerTest, BatchGetWithAProjectionWithoutTheKeys) {
  create_table("bgp");
  fill("bgp", 1, 30);
  BatchOptimizer batch(async());
  std::map<std::string, dd::KeysAndAttributes> req;
  req["bgp"].projection_expression = "#v";
  req["bgp"].expression_attribute_names = {{"#v", "v"}};
  for (int s = 0; s < 30; ++s) req["bgp"].keys.push_back({{"pk", "p0"}, {"sk", s}});
  req["bgp"].keys.push_back({{"pk", "p0"}, {"sk", 999}});  // absent
  auto r = run(batch.batch_get(std::move(req)));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->items["bgp"].size(), 30u);
  ASSERT_EQ(r->missing["bgp"].size(), 1u);
  const dd::Item* item = r->find("bgp", {{"pk", "p0"}, {"sk", 7}});
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(*item->at("v").as_string(), "value-7");
  EXPECT_EQ(item->size(), 1u);  // the key attributes fetched for matching are gone

  // Keys already in the projection stay.
  std::map<std::string, dd::KeysAndAttributes> with_key;
  with_key["bgp"].projection_expression = "pk, v";
  with_key["bgp"].keys = {{{"pk", "p0"}, {"sk", 3}}};
  auto k = run(batch.batch_get(std::move(with_key)));
  ASSERT_TRUE(k.has_value()) << k.error().to_string();
  item = k->find("bgp", {{"pk", "p0"}, {"sk", 3}});
  ASSERT_NE(item, nullptr);
  EXPECT_TRUE(item->contains("pk"));
  EXPECT_FALSE(item->contains("sk"));
  EXPECT_EQ(item->size(), 2u);
}

TEST_F(QueryLayerTest, BatchWriteChunksConflictsAndSeveralTables) {
  create_table("bw1");
  create_table("bw2", false);
  BatchOptimizer batch(async());  // key names by DescribeTable
  std::map<std::string, std::vector<dd::WriteRequest>> w;
  for (int i = 0; i < 40; ++i) w["bw1"].push_back({.put_item = dd::Item{{"pk", "a"}, {"sk", i}}});
  for (int i = 0; i < 20; ++i) {
    w["bw2"].push_back({.put_item = dd::Item{{"pk", "k" + std::to_string(i)}, {"n", i}}});
  }
  w["bw2"].push_back({.put_item = dd::Item{{"pk", "k0"}, {"n", 0}}});  // identical: merged
  auto before = calls();
  auto r = run(batch.batch_write(w));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->complete());
  EXPECT_EQ(r->written, 60u);
  EXPECT_EQ(r->requests, 3u);            // 60 writes -> 25 + 25 + 10
  EXPECT_EQ(calls() - before, 2u + 3u);  // two DescribeTables, three batches
  auto scan = client_->scan({.table_name = "bw1"});
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(scan->items.size(), 40u);

  std::map<std::string, std::vector<dd::WriteRequest>> conflict{
      {"bw2",
       {{.put_item = dd::Item{{"pk", "x"}, {"n", 1}}},
        {.put_item = dd::Item{{"pk", "x"}, {"n", 2}}}}}};
  auto rejected = run(batch.batch_write(conflict));
  ASSERT_FALSE(rejected.has_value());
  EXPECT_NE(rejected.error().message.find("two different writes"), std::string::npos);

  BatchOptimizer last(async(), {.last_write_wins = true});
  auto ok = run(last.batch_write(conflict));
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  auto got = client_->get_item({.table_name = "bw2", .key = {{"pk", "x"}}});
  ASSERT_TRUE(got.has_value() && got->item.has_value());
  EXPECT_EQ(got->item->at("n").to_int64().value(), 2);

  // Deletes through the same path.
  std::map<std::string, std::vector<dd::WriteRequest>> del;
  for (int i = 0; i < 40; ++i)
    del["bw1"].push_back({.delete_key = dd::Key{{"pk", "a"}, {"sk", i}}});
  auto d = run(batch.batch_write(del));
  ASSERT_TRUE(d.has_value() && d->complete());
  EXPECT_TRUE(client_->scan({.table_name = "bw1"})->items.empty());
}

// 100 items of ~350 KB: no single BatchGetItem response can carry them all
// (DynamoDB stops at 16 MB, dynalite at about 1.4 MB), so UnprocessedKeys
// must come back and be retried until every item is read.
TEST_F(QueryLayerTest, ForcedUnprocessedKeysLoseNothing) {
  create_table("big", false);
  const std::string blob(350 * 1024, 'x');
  BatchOptimizer writer(async(), {.max_concurrency = 2});
  writer.set_key_schema("big", {"pk"});
  std::map<std::string, std::vector<dd::WriteRequest>> w;
  for (int i = 0; i < 100; ++i) {
    w["big"].push_back({.put_item = dd::Item{{"pk", "big" + std::to_string(i)}, {"blob", blob}}});
  }
  auto wr = run(writer.batch_write(std::move(w)));
  ASSERT_TRUE(wr.has_value()) << wr.error().to_string();
  ASSERT_TRUE(wr->complete()) << (wr->errors.empty() ? "" : wr->errors[0].to_string());
  ASSERT_EQ(wr->written, 100u);

  std::map<std::string, dd::KeysAndAttributes> req;
  for (int i = 0; i < 100; ++i) req["big"].keys.push_back({{"pk", "big" + std::to_string(i)}});

  BatchOptimizer reader(async(), {.max_retries = 100,
                                  .base_backoff = std::chrono::milliseconds(1),
                                  .max_backoff = std::chrono::milliseconds(5),
                                  .seed = 7});
  auto r = run(reader.batch_get(req));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->complete());
  EXPECT_GT(r->retries, 0u) << "the test must force UnprocessedKeys";
  ASSERT_EQ(r->items["big"].size(), 100u);
  for (int i = 0; i < 100; ++i) {
    const dd::Item* item = r->find("big", {{"pk", "big" + std::to_string(i)}});
    ASSERT_NE(item, nullptr) << i;
    EXPECT_EQ(item->at("blob").as_string()->size(), blob.size());
  }
  EXPECT_TRUE(r->missing.empty());
  EXPECT_GT(reader.statistics().retries, 0u);

  // With a budget too small, what is left is reported, never dropped.
  BatchOptimizer stingy(async(), {.max_retries = 1, .base_backoff = std::chrono::milliseconds(1)});
  auto s = run(stingy.batch_get(req));
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_FALSE(s->complete());
  std::size_t left = s->unprocessed.count("big") ? s->unprocessed.at("big").size() : 0;
  EXPECT_GT(left, 0u);
  EXPECT_EQ(s->items["big"].size() + left, 100u);
  EXPECT_TRUE(s->missing.empty());
  EXPECT_EQ(stingy.statistics().left_unprocessed, left);
}

}  // namespace
}  // namespace awsperf::query

// QueryOptimizer: runs DynamoDB Queries and Scans the fast way — many at once
// (bounded), page by page only as far as the caller reads, Scans split into
// parallel segments, and repeated Queries answered from an in-process cache
// keyed by the request's canonical form.
//
//   awsperf::query::QueryOptimizer opt(*client);
//   auto results = co_await opt.parallel_query(requests, 8);   // in request order
//   auto pages = opt.paginate(request);
//   while (auto page = co_await pages.next_page()) { if (!*page) break; ... }
//
// Everything runs on the client's executor (a strand of it for the shared
// bookkeeping), so a single-threaded io_context is enough.
//
// Thread-safety: a QueryOptimizer may be used from many coroutines and threads
// at once; it must outlive the operations it started. A Paginator is used by
// one coroutine at a time.
#ifndef AWSPERF_QUERY_OPTIMIZER_H_
#define AWSPERF_QUERY_OPTIMIZER_H_

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/dynamodb/client.h"
#include "awsperf/dynamodb/types.h"

namespace awsperf::query {

// Every page of one Query or Scan, gathered.
struct QueryResult {
  std::vector<dynamodb::Item> items;
  std::int64_t scanned_count = 0;      // items evaluated before the filter
  std::size_t pages = 0;               // requests sent
  double consumed_capacity_units = 0;  // when the request asked for it
};

struct QueryOptimizerOptions {
  // Requests in flight at once when a call does not say. Default 8.
  std::size_t max_concurrency = 8;
  // cached_query: most results kept, and most bytes (items by DynamoDB's
  // size rules). Defaults 10,000 and 64 MiB.
  std::uint64_t cache_max_entries = 10'000;
  std::uint64_t cache_max_bytes = 64ull << 20;
  // Expiry of cached results reads this clock; null: Clock::real().
  Clock* clock = nullptr;
};

struct QueryOptimizerStatistics {
  std::uint64_t queries = 0;     // Query/Scan operations run to completion (or error)
  std::uint64_t pages = 0;       // Query/Scan requests sent
  std::uint64_t cache_hits = 0;  // cached_query answered without a request
  std::uint64_t cache_misses = 0;
  std::uint64_t invalidated = 0;  // cached results dropped by invalidate_*
};

// Pages of one Query or Scan, fetched one at a time as they are asked for:
// a caller that stops reading causes no further requests.
class Paginator {
 public:
  Paginator(dynamodb::Client& client, dynamodb::QueryRequest request);
  Paginator(dynamodb::Client& client, dynamodb::ScanRequest request);

  // The next page; nullopt after the last. An error ends the sequence.
  boost::asio::awaitable<Result<std::optional<dynamodb::ItemPage>>> next_page();
  // The next item, fetching pages as needed (empty pages are skipped).
  boost::asio::awaitable<Result<std::optional<dynamodb::Item>>> next_item();

  bool done() const { return done_; }
  std::size_t pages_fetched() const { return pages_; }

 private:
  dynamodb::Client* client_;
  std::variant<dynamodb::QueryRequest, dynamodb::ScanRequest> request_;
  bool done_ = false;
  std::size_t pages_ = 0;
  std::vector<dynamodb::Item> buffer_;
  std::size_t buffer_pos_ = 0;
};

// A sensible TotalSegments for a parallel Scan of `table`: one per 256 MiB
// (or per 250,000 items when the size is unknown), at least 1, at most 64.
int default_scan_segments(const dynamodb::TableDescription& table);

class QueryOptimizer {
 public:
  explicit QueryOptimizer(dynamodb::Client& client, QueryOptimizerOptions options = {});
  ~QueryOptimizer();
  QueryOptimizer(const QueryOptimizer&) = delete;
  QueryOptimizer& operator=(const QueryOptimizer&) = delete;

  // Runs every request to its last page, at most `max_concurrency` at once
  // (0: options.max_concurrency). Results are in the order of `requests`;
  // one request's error does not affect the others.
  boost::asio::awaitable<std::vector<Result<QueryResult>>> parallel_query(
      std::vector<dynamodb::QueryRequest> requests, std::size_t max_concurrency = 0);

  // One Query or Scan followed to its last page.
  boost::asio::awaitable<Result<QueryResult>> query_all(dynamodb::QueryRequest request);
  boost::asio::awaitable<Result<QueryResult>> scan_all(dynamodb::ScanRequest request);

  Paginator paginate(dynamodb::QueryRequest request) {
    return Paginator(*client_, std::move(request));
  }
  Paginator paginate(dynamodb::ScanRequest request) {
    return Paginator(*client_, std::move(request));
  }

  // Scans `request` in `segments` parallel segments (0: DescribeTable and
  // default_scan_segments()), at most `concurrency` at once (0:
  // options.max_concurrency). Items are ordered by segment. The request must
  // not set segment/total_segments itself.
  boost::asio::awaitable<Result<QueryResult>> parallel_scan(dynamodb::ScanRequest request,
                                                            int segments = 0,
                                                            std::size_t concurrency = 0);

  // The result of `request` from the cache when a request with the same
  // canonical form was answered less than `ttl` ago; otherwise runs it (all
  // pages) and caches the answer for `ttl`. Errors are not cached.
  boost::asio::awaitable<Result<std::shared_ptr<const QueryResult>>> cached_query(
      dynamodb::QueryRequest request, std::chrono::nanoseconds ttl);

  // Drops every cached result of `table`; returns how many.
  std::size_t invalidate_table(const std::string& table);
  // Drops the cached results of `table` that may involve the item with
  // primary key `key`: those whose key condition tests one of its key
  // attributes for equality with its value, and those that contain it.
  std::size_t invalidate_key(const std::string& table, const dynamodb::Key& key);

  QueryOptimizerStatistics statistics() const;
  dynamodb::Client& client() { return *client_; }

  struct State;

 private:
  dynamodb::Client* client_;
  QueryOptimizerOptions options_;
  std::shared_ptr<State> state_;
};

}  // namespace awsperf::query

#endif  // AWSPERF_QUERY_OPTIMIZER_H_

// BatchOptimizer: many GetItems as few BatchGetItems, many writes as few
// BatchWriteItems, within the API limits, with UnprocessedKeys/Items retried.
//
// batch_get: duplicate keys removed; chunks of at most 100 keys (fewer when
// options.estimated_item_bytes says 100 items would pass 16 MB), several
// tables per chunk; chunks run in parallel up to max_concurrency; whatever
// comes back in UnprocessedKeys is sent again after an exponential backoff
// with full jitter, until done or the retry budget is spent. Keys still
// unprocessed then are listed in the result (never dropped), keys that do
// not exist are listed as missing.
//
// batch_write: chunks of at most 25; two requests for one key in a call are
// rejected (kInvalidArgument) unless options.last_write_wins, identical
// duplicates are merged; UnprocessedItems are retried the same way.
//
// Thread-safety: a BatchOptimizer may be used from many coroutines and
// threads at once; statistics() from any thread.
#ifndef AWSPERF_QUERY_BATCH_H_
#define AWSPERF_QUERY_BATCH_H_

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/dynamodb/client.h"
#include "awsperf/dynamodb/types.h"

namespace awsperf::query {

// API limits.
inline constexpr std::size_t kMaxBatchGetKeys = 100;
inline constexpr std::size_t kMaxBatchWriteRequests = 25;
inline constexpr std::size_t kMaxBatchBytes = 16u << 20;

struct BatchOptions {
  // Chunks in flight at once. Default 8.
  std::size_t max_concurrency = 8;
  // Keys per BatchGetItem (1..100). Default 100.
  std::size_t max_keys_per_chunk = kMaxBatchGetKeys;
  // Requests per BatchWriteItem (1..25). Default 25.
  std::size_t max_writes_per_chunk = kMaxBatchWriteRequests;
  // Expected size of one item read; when set, a chunk holds at most
  // 16 MB / estimated_item_bytes keys so responses stay under 16 MB.
  std::optional<std::size_t> estimated_item_bytes;
  // Retries of the unprocessed part of one chunk before it is reported.
  // Default 10.
  int max_retries = 10;
  // Backoff before retry n: uniform in [0, min(max_backoff, base_backoff * 2^(n-1))].
  std::chrono::milliseconds base_backoff{25};
  std::chrono::milliseconds max_backoff{2000};
  // batch_write: on two different requests for one key, keep the last
  // instead of rejecting the call. Default off.
  bool last_write_wins = false;
  // Jitter seed; 0 = random.
  std::uint64_t seed = 0;
};

struct BatchStatistics {
  std::uint64_t calls = 0;     // batch_get / batch_write calls
  std::uint64_t chunks = 0;    // chunks formed
  std::uint64_t requests = 0;  // BatchGetItem/BatchWriteItem requests sent
  std::uint64_t retries = 0;   // requests sent for unprocessed keys/items
  std::uint64_t items_read = 0;
  std::uint64_t items_written = 0;
  std::uint64_t duplicates_removed = 0;
  std::uint64_t left_unprocessed = 0;  // keys/items reported after the budget
};

struct BatchGetResult {
  // table -> key_string(key) -> item.
  std::map<std::string, std::map<std::string, dynamodb::Item>> items;
  // Keys that do not exist.
  std::map<std::string, std::vector<dynamodb::Key>> missing;
  // Keys not read: still unprocessed after the retry budget, or in a chunk
  // whose request failed (see errors).
  std::map<std::string, std::vector<dynamodb::Key>> unprocessed;
  std::vector<Error> errors;
  std::size_t requests = 0;
  std::size_t retries = 0;

  bool complete() const { return unprocessed.empty() && errors.empty(); }
  const dynamodb::Item* find(const std::string& table, const dynamodb::Key& key) const;
  std::size_t item_count() const;
};

struct BatchWriteResult {
  std::size_t written = 0;
  // Writes not done: unprocessed after the retry budget, or failed chunks.
  std::map<std::string, std::vector<dynamodb::WriteRequest>> unprocessed;
  std::vector<Error> errors;
  std::size_t requests = 0;
  std::size_t retries = 0;
  bool complete() const { return unprocessed.empty() && errors.empty(); }
};

// ---- Pure helpers (exposed for tests and tools) -----------------------------

// Removes duplicate keys per table (keeping the first); returns how many.
std::size_t dedupe_keys(std::map<std::string, dynamodb::KeysAndAttributes>& request);
// Splits into BatchGetItem requests of at most `max_keys` keys, filling each
// chunk across tables in order.
std::vector<dynamodb::BatchGetItemRequest> chunk_batch_get(
    const std::map<std::string, dynamodb::KeysAndAttributes>& request, std::size_t max_keys);
// Splits into BatchWriteItem requests of at most `max_writes` requests.
std::vector<dynamodb::BatchWriteItemRequest> chunk_batch_write(
    const std::map<std::string, std::vector<dynamodb::WriteRequest>>& request,
    std::size_t max_writes);
// Keys per chunk allowed by the 100-key and 16 MB limits.
std::size_t keys_per_chunk(std::size_t max_keys, std::optional<std::size_t> estimated_item_bytes);
// The primary key of an item (its attributes named in `key_names`).
dynamodb::Key extract_key(const dynamodb::Item& item, const std::vector<std::string>& key_names);
// Merges requests for the same key: identical ones silently, different ones
// are kInvalidArgument naming the key, or the last kept if last_write_wins.
// Returns how many were removed.
Result<std::size_t> resolve_write_conflicts(std::vector<dynamodb::WriteRequest>& writes,
                                            const std::vector<std::string>& key_names,
                                            bool last_write_wins, const std::string& table);
// Full-jitter backoff before retry `attempt` (1-based).
std::chrono::nanoseconds full_jitter_backoff(int attempt, std::chrono::nanoseconds base,
                                             std::chrono::nanoseconds cap, std::mt19937_64& rng);

class BatchOptimizer {
 public:
  explicit BatchOptimizer(dynamodb::Client& client, BatchOptions options = {});
  ~BatchOptimizer();
  BatchOptimizer(const BatchOptimizer&) = delete;
  BatchOptimizer& operator=(const BatchOptimizer&) = delete;

  // kInvalidArgument for an empty table name or an empty key; request
  // failures are reported per chunk in the result.
  boost::asio::awaitable<Result<BatchGetResult>> batch_get(
      std::map<std::string, dynamodb::KeysAndAttributes> request);
  // Key names come from set_key_schema() or, once per table, DescribeTable.
  boost::asio::awaitable<Result<BatchWriteResult>> batch_write(
      std::map<std::string, std::vector<dynamodb::WriteRequest>> request);

  // Tells batch_write a table's key attribute names (saves a DescribeTable).
  void set_key_schema(const std::string& table, std::vector<std::string> key_names);

  BatchStatistics statistics() const;

  struct State;

 private:
  dynamodb::Client* client_;
  BatchOptions options_;
  std::shared_ptr<State> state_;
};

}  // namespace awsperf::query

#endif  // AWSPERF_QUERY_BATCH_H_

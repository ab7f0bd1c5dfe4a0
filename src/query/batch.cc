#include "awsperf/query/batch.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_set>

#include "awsperf/query/expression.h"
#include "query/key_text.h"
#include "query/parallel.h"

namespace awsperf::query {

namespace asio = boost::asio;
namespace dd = awsperf::dynamodb;

// ---- Pure helpers ------------------------------------------------------------

std::size_t dedupe_keys(std::map<std::string, dd::KeysAndAttributes>& request) {
  std::size_t removed = 0;
  for (auto& [table, ka] : request) {
    std::unordered_set<std::string> seen;
    seen.reserve(ka.keys.size());
    std::vector<dd::Key> unique;
    unique.reserve(ka.keys.size());
    for (auto& k : ka.keys) {
      if (seen.insert(key_string(k)).second) {
        unique.push_back(std::move(k));
      } else {
        ++removed;
      }
    }
    ka.keys = std::move(unique);
  }
  return removed;
}

std::size_t keys_per_chunk(std::size_t max_keys, std::optional<std::size_t> estimated_item_bytes) {
  std::size_t n = std::clamp<std::size_t>(max_keys, 1, kMaxBatchGetKeys);
  if (estimated_item_bytes && *estimated_item_bytes > 0) {
    n = std::min(n, std::max<std::size_t>(1, kMaxBatchBytes / *estimated_item_bytes));
  }
  return n;
}

namespace {

// chunk_batch_get, moving the keys out of `request` instead of copying them.
std::vector<dd::BatchGetItemRequest> take_chunks(
    std::map<std::string, dd::KeysAndAttributes>& request, std::size_t max_keys) {
  max_keys = std::max<std::size_t>(max_keys, 1);
  std::vector<dd::BatchGetItemRequest> chunks;
  std::size_t in_chunk = max_keys;  // forces a new chunk first
  for (auto& [table, ka] : request) {
    for (auto& key : ka.keys) {
      if (in_chunk == max_keys) {
        chunks.emplace_back();
        in_chunk = 0;
      }
      auto& slot = chunks.back().request_items[table];
      if (slot.keys.empty()) {
        slot.projection_expression = ka.projection_expression;
        slot.expression_attribute_names = ka.expression_attribute_names;
        slot.consistent_read = ka.consistent_read;
        slot.keys.reserve(std::min(max_keys, ka.keys.size()));
      }
      slot.keys.push_back(std::move(key));
      ++in_chunk;
    }
  }
  return chunks;
}

}  // namespace

std::vector<dd::BatchGetItemRequest> chunk_batch_get(
    const std::map<std::string, dd::KeysAndAttributes>& request, std::size_t max_keys) {
  auto copy = request;
  return take_chunks(copy, max_keys);
}

std::vector<dd::BatchWriteItemRequest> chunk_batch_write(
    const std::map<std::string, std::vector<dd::WriteRequest>>& request, std::size_t max_writes) {
  max_writes = std::clamp<std::size_t>(max_writes, 1, kMaxBatchWriteRequests);
  std::vector<dd::BatchWriteItemRequest> chunks;
  std::size_t in_chunk = max_writes;
  for (const auto& [table, writes] : request) {
    for (const auto& w : writes) {
      if (in_chunk == max_writes) {
        chunks.emplace_back();
        in_chunk = 0;
      }
      chunks.back().request_items[table].push_back(w);
      ++in_chunk;
    }
  }
  return chunks;
}

dd::Key extract_key(const dd::Item& item, const std::vector<std::string>& key_names) {
  dd::Key key;
  for (const auto& n : key_names) {
    auto it = item.find(n);
    if (it != item.end()) key.emplace(n, it->second);
  }
  return key;
}

namespace {

const dd::Item& write_key_source(const dd::WriteRequest& w) {
  static const dd::Item kEmpty;
  if (w.put_item) return *w.put_item;
  if (w.delete_key) return *w.delete_key;
  return kEmpty;
}

bool same_write(const dd::WriteRequest& a, const dd::WriteRequest& b) {
  return a.put_item == b.put_item && a.delete_key == b.delete_key;
}

}  // namespace

Result<std::size_t> resolve_write_conflicts(std::vector<dd::WriteRequest>& writes,
                                            const std::vector<std::string>& key_names,
                                            bool last_write_wins, const std::string& table) {
  std::map<std::string, std::size_t> index;  // key -> position in `out`
  std::vector<dd::WriteRequest> out;
  std::size_t removed = 0;
  for (auto& w : writes) {
    if (w.put_item.has_value() == w.delete_key.has_value()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "a write request of table '" + table +
                            "' must have exactly one of put_item and delete_key");
    }
    dd::Key key = extract_key(write_key_source(w), key_names);
    if (key.size() != key_names.size()) {
      return make_error(ErrorCode::kInvalidArgument, "a write request of table '" + table +
                                                         "' lacks a key attribute (" +
                                                         key_string(key) + ")");
    }
    std::string ks = key_string(key);
    auto it = index.find(ks);
    if (it == index.end()) {
      index.emplace(ks, out.size());
      out.push_back(std::move(w));
      continue;
    }
    ++removed;
    if (same_write(out[it->second], w)) continue;
    if (!last_write_wins) {
      return make_error(ErrorCode::kInvalidArgument,
                        "two different writes for key " + ks + " of table '" + table +
                            "' in one batch; DynamoDB rejects this (set last_write_wins to "
                            "keep the last)");
    }
    out[it->second] = std::move(w);
  }
  writes = std::move(out);
  return removed;
}

std::chrono::nanoseconds full_jitter_backoff(int attempt, std::chrono::nanoseconds base,
                                             std::chrono::nanoseconds cap, std::mt19937_64& rng) {
  if (attempt < 1 || base.count() <= 0) return std::chrono::nanoseconds(0);
  int shift = std::min(attempt - 1, 30);
  std::int64_t ceiling = base.count();
  for (int i = 0; i < shift && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap.count());
  std::uniform_int_distribution<std::int64_t> d(0, ceiling);
  return std::chrono::nanoseconds(d(rng));
}

const dd::Item* BatchGetResult::find(const std::string& table, const dd::Key& key) const {
  auto t = items.find(table);
  if (t == items.end()) return nullptr;
  auto it = t->second.find(key_string(key));
  return it == t->second.end() ? nullptr : &it->second;
}

std::size_t BatchGetResult::item_count() const {
  std::size_t n = 0;
  for (const auto& [t, m] : items) n += m.size();
  return n;
}

// ---- BatchOptimizer ----------------------------------------------------------

struct BatchOptimizer::State {
  explicit State(std::uint64_t seed) : rng(seed ? seed : std::random_device{}()) {}
  std::mutex mu;  // guards rng and key_names
  std::mt19937_64 rng;
  std::map<std::string, std::vector<std::string>> key_names;
  std::atomic<std::uint64_t> calls{0}, chunks{0}, requests{0}, retries{0}, items_read{0},
      items_written{0}, duplicates{0}, left{0};

  std::chrono::nanoseconds backoff(int attempt, const BatchOptions& o) {
    std::lock_guard lk(mu);
    return full_jitter_backoff(attempt, o.base_backoff, o.max_backoff, rng);
  }
};

namespace {

// Shared by the chunks of one batch_get call; they run on one strand.
struct GetJob {
  std::vector<dd::BatchGetItemRequest> chunks;
  BatchGetResult result;
  std::map<std::string, std::vector<std::string>> key_names;  // per table, from the keys
  // Key attributes added to a table's projection so answers can be matched
  // to keys; removed from the items before they are returned.
  std::map<std::string, std::vector<std::string>> added_to_projection;
  // Keys that do not exist, per chunk: merged in chunk order at the end so
  // the result lists them in request order.
  std::vector<std::map<std::string, std::vector<dd::Key>>> missing;
};

void move_keys(std::map<std::string, dd::KeysAndAttributes>& from,
               std::map<std::string, std::vector<dd::Key>>& to) {
  for (auto& [table, ka] : from) {
    for (auto& k : ka.keys) to[table].push_back(std::move(k));
  }
}

// The top-level attribute names a projection expression reads ("a.b[1]" reads
// "a"), with #placeholders resolved.
std::unordered_set<std::string> projected_attributes(const std::string& projection,
                                                     const dd::ExpressionNames& names) {
  std::unordered_set<std::string> out;
  std::size_t pos = 0;
  while (pos <= projection.size()) {
    std::size_t comma = projection.find(',', pos);
    if (comma == std::string::npos) comma = projection.size();
    std::string_view path(projection.data() + pos, comma - pos);
    while (!path.empty() && std::isspace(static_cast<unsigned char>(path.front()))) {
      path.remove_prefix(1);
    }
    std::string_view top = path.substr(0, path.find_first_of(".[ \t\r\n"));
    if (!top.empty() && top.front() == '#') {
      if (auto it = names.find(std::string(top)); it != names.end()) out.insert(it->second);
    } else if (!top.empty()) {
      out.insert(std::string(top));
    }
    pos = comma + 1;
  }
  return out;
}

// Answers are matched to keys by their key attributes: a projection that
// leaves them out gets them added (as #placeholders). Returns the ones added.
std::vector<std::string> project_key_attributes(dd::KeysAndAttributes& ka,
                                                const std::vector<std::string>& key_names) {
  std::vector<std::string> added;
  if (!ka.projection_expression || ka.projection_expression->empty()) return added;
  auto read = projected_attributes(*ka.projection_expression, ka.expression_attribute_names);
  for (const auto& name : key_names) {
    if (read.contains(name)) continue;
    std::string placeholder;
    for (int i = 0;; ++i) {
      placeholder = "#awsperf_key" + std::to_string(i);
      if (!ka.expression_attribute_names.contains(placeholder)) break;
    }
    ka.expression_attribute_names.emplace(placeholder, name);
    *ka.projection_expression += ", " + placeholder;
    added.push_back(name);
  }
  return added;
}

// key_string(extract_key(item, names)) without the copy when it can.
std::string item_key_text(const dd::Item& item, const std::vector<std::string>& names) {
  std::string text;
  if (detail::fast_key_text(item, names, text)) return text;
  return key_string(extract_key(item, names));
}

// Files the items of one BatchGetItem answer, and lists as missing the keys
// of `sent` that came back neither as items nor as unprocessed keys.
void file_answer(BatchOptimizer::State& state, GetJob& job, std::size_t chunk,
                 dd::BatchGetItemRequest& sent, dd::BatchGetItemResponse& answer) {
  for (auto& [table, items] : answer.responses) {
    const auto& names = job.key_names[table];
    auto& by_key = job.result.items[table];
    for (auto& item : items) {
      by_key.emplace(item_key_text(item, names), std::move(item));
    }
    state.items_read += items.size();
  }
  std::map<std::string, std::unordered_set<std::string>> again;
  for (const auto& [table, ka] : answer.unprocessed_keys) {
    auto& set = again[table];
    for (const auto& k : ka.keys) set.insert(key_string(k));
  }
  for (auto& [table, ka] : sent.request_items) {
    auto got = job.result.items.find(table);
    auto retry = again.find(table);
    for (auto& k : ka.keys) {
      auto ks = key_string(k);
      if (got != job.result.items.end() && got->second.contains(ks)) continue;
      if (retry != again.end() && retry->second.contains(ks)) continue;
      job.missing[chunk][table].push_back(std::move(k));
    }
  }
}

asio::awaitable<void> get_chunk(dd::Client& client, BatchOptimizer::State& state,
                                const BatchOptions& options, GetJob& job, std::size_t i) {
  dd::BatchGetItemRequest pending = std::move(job.chunks[i]);
  int attempt = 0;
  while (true) {
    ++state.requests;
    ++job.result.requests;
    // A copy goes out: `pending` keeps the keys for the missing ones and for
    // the unprocessed list when the request fails.
    auto op = client.batch_get_item(pending);
    auto r = co_await std::move(op);
    if (!r) {
      job.result.errors.push_back(r.error());
      move_keys(pending.request_items, job.result.unprocessed);
      co_return;
    }
    file_answer(state, job, i, pending, *r);
    if (r->unprocessed_keys.empty()) co_return;
    if (attempt >= options.max_retries) {
      for (auto& [t, ka] : r->unprocessed_keys) state.left += ka.keys.size();
      move_keys(r->unprocessed_keys, job.result.unprocessed);
      co_return;
    }
    ++attempt;
    ++state.retries;
    ++job.result.retries;
    {
      auto pause = detail::sleep_for(state.backoff(attempt, options));
      co_await std::move(pause);
    }
    pending.request_items = std::move(r->unprocessed_keys);
  }
}

struct WriteJob {
  std::vector<dd::BatchWriteItemRequest> chunks;
  BatchWriteResult result;
};

asio::awaitable<void> write_chunk(dd::Client& client, BatchOptimizer::State& state,
                                  const BatchOptions& options, WriteJob& job, std::size_t i) {
  dd::BatchWriteItemRequest pending = std::move(job.chunks[i]);
  int attempt = 0;
  while (true) {
    std::size_t sent = 0;
    for (const auto& [t, ws] : pending.request_items) sent += ws.size();
    ++state.requests;
    ++job.result.requests;
    auto op = client.batch_write_item(pending);
    auto r = co_await std::move(op);
    if (!r) {
      job.result.errors.push_back(r.error());
      for (auto& [t, ws] : pending.request_items) {
        for (auto& w : ws) job.result.unprocessed[t].push_back(std::move(w));
      }
      co_return;
    }
    std::size_t left = 0;
    for (const auto& [t, ws] : r->unprocessed_items) left += ws.size();
    job.result.written += sent - std::min(sent, left);
    state.items_written += sent - std::min(sent, left);
    if (left == 0) co_return;
    if (attempt >= options.max_retries) {
      state.left += left;
      for (auto& [t, ws] : r->unprocessed_items) {
        for (auto& w : ws) job.result.unprocessed[t].push_back(std::move(w));
      }
      co_return;
    }
    ++attempt;
    ++state.retries;
    ++job.result.retries;
    {
      auto pause = detail::sleep_for(state.backoff(attempt, options));
      co_await std::move(pause);
    }
    pending.request_items = std::move(r->unprocessed_items);
  }
}

// Runs `chunk(client, state, options, job, i)` for every chunk of `job`, at
// most options.max_concurrency at a time. Everything is taken by reference:
// the caller's coroutine frame outlives the returned awaitable.
template <typename Job>
asio::awaitable<void> for_each_chunk(
    dd::Client& client, BatchOptimizer::State& state, const BatchOptions& options, Job& job,
    asio::awaitable<void> (*chunk)(dd::Client&, BatchOptimizer::State&, const BatchOptions&, Job&,
                                   std::size_t)) {
  return detail::for_each_bounded(client.executor(), job.chunks.size(), options.max_concurrency,
                                  [&client, &state, &options, &job, chunk](std::size_t i) {
                                    return chunk(client, state, options, job, i);
                                  });
}

}  // namespace

BatchOptimizer::BatchOptimizer(dd::Client& client, BatchOptions options)
    : client_(&client), options_(options), state_(std::make_shared<State>(options.seed)) {}

BatchOptimizer::~BatchOptimizer() = default;

void BatchOptimizer::set_key_schema(const std::string& table, std::vector<std::string> names) {
  std::lock_guard lk(state_->mu);
  state_->key_names[table] = std::move(names);
}

asio::awaitable<Result<BatchGetResult>> BatchOptimizer::batch_get(
    std::map<std::string, dd::KeysAndAttributes> request) {
  ++state_->calls;
  for (const auto& [table, ka] : request) {
    if (table.empty()) co_return make_error(ErrorCode::kInvalidArgument, "empty table name");
    for (const auto& k : ka.keys) {
      if (k.empty()) {
        co_return make_error(ErrorCode::kInvalidArgument,
                             "an empty key in the request for table '" + table + "'");
      }
    }
  }
  auto job = std::make_shared<GetJob>();
  // One pass per table: the keys must name the same attributes; duplicates
  // are dropped (each key's text made once, in a hash set).
  for (auto& [table, ka] : request) {
    if (ka.keys.empty()) continue;
    std::vector<std::string> names;
    for (const auto& [n, v] : ka.keys.front()) names.push_back(n);
    for (const auto& k : ka.keys) {
      if (k.size() != names.size() ||
          !std::all_of(names.begin(), names.end(), [&](const auto& n) { return k.contains(n); })) {
        co_return make_error(ErrorCode::kInvalidArgument, "the keys for table '" + table +
                                                              "' do not all name the same "
                                                              "attributes: " +
                                                              key_string(ka.keys.front()) + " vs " +
                                                              key_string(k));
      }
    }
    if (auto added = project_key_attributes(ka, names); !added.empty()) {
      job->added_to_projection[table] = std::move(added);
    }
    job->key_names[table] = std::move(names);
  }
  state_->duplicates += dedupe_keys(request);
  job->chunks = take_chunks(
      request, keys_per_chunk(options_.max_keys_per_chunk, options_.estimated_item_bytes));
  job->missing.resize(job->chunks.size());
  state_->chunks += job->chunks.size();
  auto all = for_each_chunk(*client_, *state_, options_, *job, get_chunk);
  co_await std::move(all);
  for (auto& by_table : job->missing) {
    for (auto& [table, keys] : by_table) {
      auto& out = job->result.missing[table];
      for (auto& k : keys) out.push_back(std::move(k));
    }
  }
  for (const auto& [table, names] : job->added_to_projection) {
    auto it = job->result.items.find(table);
    if (it == job->result.items.end()) continue;
    for (auto& [key, item] : it->second) {
      for (const auto& n : names) item.erase(n);
    }
  }
  co_return std::move(job->result);
}

asio::awaitable<Result<BatchWriteResult>> BatchOptimizer::batch_write(
    std::map<std::string, std::vector<dd::WriteRequest>> request) {
  ++state_->calls;
  for (auto& [table, writes] : request) {
    if (table.empty()) co_return make_error(ErrorCode::kInvalidArgument, "empty table name");
    std::vector<std::string> names;
    {
      std::lock_guard lk(state_->mu);
      if (auto it = state_->key_names.find(table); it != state_->key_names.end()) {
        names = it->second;
      }
    }
    if (names.empty()) {
      dd::DescribeTableRequest describe{.table_name = table};
      auto op = client_->describe_table(std::move(describe));
      auto d = co_await std::move(op);
      if (!d) co_return std::unexpected(d.error());
      for (const auto& k : d->key_schema) names.push_back(k.attribute_name);
      std::lock_guard lk(state_->mu);
      state_->key_names[table] = names;
    }
    auto removed = resolve_write_conflicts(writes, names, options_.last_write_wins, table);
    if (!removed) co_return std::unexpected(removed.error());
    state_->duplicates += *removed;
  }
  auto job = std::make_shared<WriteJob>();
  job->chunks = chunk_batch_write(request, options_.max_writes_per_chunk);
  state_->chunks += job->chunks.size();
  auto all = for_each_chunk(*client_, *state_, options_, *job, write_chunk);
  co_await std::move(all);
  co_return std::move(job->result);
}

BatchStatistics BatchOptimizer::statistics() const {
  return {.calls = state_->calls.load(),
          .chunks = state_->chunks.load(),
          .requests = state_->requests.load(),
          .retries = state_->retries.load(),
          .items_read = state_->items_read.load(),
          .items_written = state_->items_written.load(),
          .duplicates_removed = state_->duplicates.load(),
          .left_unprocessed = state_->left.load()};
}

}  // namespace awsperf::query

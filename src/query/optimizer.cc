#include "awsperf/query/optimizer.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "awsperf/cache/cache.h"
#include "awsperf/query/expression.h"
#include "query/parallel.h"

namespace awsperf::query {

namespace asio = boost::asio;
namespace dd = awsperf::dynamodb;

// ---- Paginator ---------------------------------------------------------------

Paginator::Paginator(dd::Client& client, dd::QueryRequest request)
    : client_(&client), request_(std::move(request)) {}
Paginator::Paginator(dd::Client& client, dd::ScanRequest request)
    : client_(&client), request_(std::move(request)) {}

asio::awaitable<Result<std::optional<dd::ItemPage>>> Paginator::next_page() {
  if (done_) co_return std::optional<dd::ItemPage>();
  Result<dd::ItemPage> page = make_error(ErrorCode::kInternal, "not run");
  if (auto* q = std::get_if<dd::QueryRequest>(&request_)) {
    auto op = client_->query(*q);
    page = co_await std::move(op);
  } else {
    auto op = client_->scan(std::get<dd::ScanRequest>(request_));
    page = co_await std::move(op);
  }
  ++pages_;
  if (!page) {
    done_ = true;
    co_return std::unexpected(page.error());
  }
  if (page->last_evaluated_key) {
    std::visit([&](auto& r) { r.exclusive_start_key = *page->last_evaluated_key; }, request_);
  } else {
    done_ = true;
  }
  co_return std::optional<dd::ItemPage>(std::move(*page));
}

asio::awaitable<Result<std::optional<dd::Item>>> Paginator::next_item() {
  while (buffer_pos_ >= buffer_.size()) {
    if (done_) co_return std::optional<dd::Item>();
    auto page = co_await next_page();
    if (!page) co_return std::unexpected(page.error());
    if (!*page) co_return std::optional<dd::Item>();
    buffer_ = std::move((*page)->items);
    buffer_pos_ = 0;
  }
  co_return std::optional<dd::Item>(std::move(buffer_[buffer_pos_++]));
}

int default_scan_segments(const dd::TableDescription& table) {
  constexpr std::int64_t kBytesPerSegment = 256ll << 20;
  constexpr std::int64_t kItemsPerSegment = 250'000;
  std::int64_t n = 1;
  if (table.table_size_bytes && *table.table_size_bytes > 0) {
    n = (*table.table_size_bytes + kBytesPerSegment - 1) / kBytesPerSegment;
  } else if (table.item_count && *table.item_count > 0) {
    n = (*table.item_count + kItemsPerSegment - 1) / kItemsPerSegment;
  }
  return static_cast<int>(std::clamp<std::int64_t>(n, 1, 64));
}

// ---- State -------------------------------------------------------------------

using CachedResult = std::shared_ptr<const QueryResult>;

struct QueryOptimizer::State {
  struct Entry {
    std::string table;
    // "name=value" for each top-level equality of the key condition.
    std::set<std::string> equalities;
    std::weak_ptr<const QueryResult> result;
  };

  explicit State(const QueryOptimizerOptions& o)
      : cache(cache::CacheOptions{.max_entries = o.cache_max_entries,
                                  .max_bytes = o.cache_max_bytes,
                                  .ttl = std::chrono::minutes(5),
                                  .auto_cleanup = false,
                                  .clock = o.clock},
              cache::Cache<std::string, CachedResult>::Hooks{
                  .weigher =
                      [](const std::string& k, const CachedResult& v) {
                        std::size_t bytes = k.size() + sizeof(QueryResult);
                        if (v) {
                          for (const auto& item : v->items) bytes += dd::item_size(item);
                        }
                        return bytes;
                      },
                  .removal_listener =
                      [this](const std::string& k, const CachedResult*, cache::RemovalCause) {
                        std::lock_guard lk(mu);
                        entries.erase(k);
                      }}) {}

  std::atomic<std::uint64_t> queries{0}, pages{0}, hits{0}, misses{0}, invalidated{0};
  std::mutex mu;  // guards entries
  std::map<std::string, Entry> entries;
  cache::Cache<std::string, CachedResult> cache;
};

namespace {

asio::awaitable<Result<QueryResult>> run_all(dd::Client& client, QueryOptimizer::State& state,
                                             std::variant<dd::QueryRequest, dd::ScanRequest> req) {
  QueryResult out;
  Paginator pages = std::holds_alternative<dd::QueryRequest>(req)
                        ? Paginator(client, std::get<dd::QueryRequest>(std::move(req)))
                        : Paginator(client, std::get<dd::ScanRequest>(std::move(req)));
  while (true) {
    auto page = co_await pages.next_page();
    if (!page) {
      state.pages += pages.pages_fetched();
      ++state.queries;
      co_return std::unexpected(page.error());
    }
    if (!*page) break;
    auto& p = **page;
    out.scanned_count += p.scanned_count;
    if (p.consumed_capacity) out.consumed_capacity_units += p.consumed_capacity->capacity_units;
    for (auto& item : p.items) out.items.push_back(std::move(item));
  }
  out.pages = pages.pages_fetched();
  state.pages += out.pages;
  ++state.queries;
  co_return out;
}

// One parallel_query slot: runs request i and stores its result.
asio::awaitable<void> query_slot(dd::Client& client, QueryOptimizer::State& state,
                                 const std::vector<dd::QueryRequest>& requests,
                                 std::vector<Result<QueryResult>>& results, std::size_t i) {
  std::variant<dd::QueryRequest, dd::ScanRequest> req = requests[i];
  auto op = run_all(client, state, std::move(req));
  results[i] = co_await std::move(op);
}

asio::awaitable<void> scan_slot(dd::Client& client, QueryOptimizer::State& state,
                                const dd::ScanRequest& base, int total,
                                std::vector<Result<QueryResult>>& results, std::size_t i) {
  dd::ScanRequest r = base;
  r.segment = static_cast<int>(i);
  r.total_segments = total;
  std::variant<dd::QueryRequest, dd::ScanRequest> req = std::move(r);
  auto op = run_all(client, state, std::move(req));
  results[i] = co_await std::move(op);
}

void collect_equalities(const ConditionNode* n, std::set<std::string>& out) {
  if (n->kind == ConditionNode::Kind::kAnd) {
    for (const auto& c : n->children) collect_equalities(c.get(), out);
  } else if (n->kind == ConditionNode::Kind::kCompare && !n->size_of && n->op == CompareOp::kEq) {
    auto v = dd::to_json(n->values[0]);
    if (v) out.insert(n->path + "=" + *v);
  }
}

}  // namespace

// ---- QueryOptimizer ----------------------------------------------------------

QueryOptimizer::QueryOptimizer(dd::Client& client, QueryOptimizerOptions options)
    : client_(&client), options_(options), state_(std::make_shared<State>(options_)) {}

QueryOptimizer::~QueryOptimizer() = default;

asio::awaitable<std::vector<Result<QueryResult>>> QueryOptimizer::parallel_query(
    std::vector<dd::QueryRequest> requests, std::size_t max_concurrency) {
  std::vector<Result<QueryResult>> results(
      requests.size(), Result<QueryResult>(make_error(ErrorCode::kInternal, "not run")));
  std::size_t limit = max_concurrency ? max_concurrency : options_.max_concurrency;
  dd::Client& client = *client_;
  State& state = *state_;
  const auto& reqs = requests;
  auto& res = results;
  auto all = detail::for_each_bounded(client.executor(), requests.size(), limit,
                                      [&client, &state, &reqs, &res](std::size_t i) {
                                        return query_slot(client, state, reqs, res, i);
                                      });
  co_await std::move(all);
  co_return results;
}

asio::awaitable<Result<QueryResult>> QueryOptimizer::query_all(dd::QueryRequest request) {
  return run_all(*client_, *state_, std::move(request));
}

asio::awaitable<Result<QueryResult>> QueryOptimizer::scan_all(dd::ScanRequest request) {
  return run_all(*client_, *state_, std::move(request));
}

asio::awaitable<Result<QueryResult>> QueryOptimizer::parallel_scan(dd::ScanRequest request,
                                                                   int segments,
                                                                   std::size_t concurrency) {
  if (request.segment || request.total_segments) {
    co_return make_error(ErrorCode::kInvalidArgument,
                         "parallel_scan sets Segment/TotalSegments itself; the request must not");
  }
  if (segments < 0 || segments > 1'000'000) {
    co_return make_error(ErrorCode::kInvalidArgument,
                         "segments must be 1..1000000 (0: derived from the table size), got " +
                             std::to_string(segments));
  }
  if (segments == 0) {
    dd::DescribeTableRequest describe{.table_name = request.table_name};
    auto describe_op = client_->describe_table(std::move(describe));
    auto desc = co_await std::move(describe_op);
    if (!desc) co_return std::unexpected(desc.error());
    segments = default_scan_segments(*desc);
  }
  std::vector<Result<QueryResult>> results(
      static_cast<std::size_t>(segments),
      Result<QueryResult>(make_error(ErrorCode::kInternal, "not run")));
  std::size_t limit = concurrency ? concurrency : options_.max_concurrency;
  dd::Client& client = *client_;
  State& state = *state_;
  const dd::ScanRequest& base = request;
  auto& res = results;
  const int total = segments;
  auto all = detail::for_each_bounded(client.executor(), results.size(), limit,
                                      [&client, &state, &base, total, &res](std::size_t i) {
                                        return scan_slot(client, state, base, total, res, i);
                                      });
  co_await std::move(all);
  QueryResult out;
  for (auto& r : results) {
    if (!r) co_return std::unexpected(r.error());
    out.scanned_count += r->scanned_count;
    out.pages += r->pages;
    out.consumed_capacity_units += r->consumed_capacity_units;
    for (auto& item : r->items) out.items.push_back(std::move(item));
  }
  co_return out;
}

asio::awaitable<Result<std::shared_ptr<const QueryResult>>> QueryOptimizer::cached_query(
    dd::QueryRequest request, std::chrono::nanoseconds ttl) {
  auto key = canonical_key(request);
  if (!key) co_return std::unexpected(key.error());
  if (auto hit = state_->cache.get(*key)) {
    ++state_->hits;
    co_return *hit;
  }
  ++state_->misses;
  State::Entry entry{.table = request.table_name};
  if (auto cond =
          parse_condition(request.key_condition_expression, request.expression_attribute_names,
                          request.expression_attribute_values)) {
    collect_equalities(cond->node(), entry.equalities);
  }
  std::variant<dd::QueryRequest, dd::ScanRequest> req = std::move(request);
  auto op = run_all(*client_, *state_, std::move(req));
  auto result = co_await std::move(op);
  if (!result) co_return std::unexpected(result.error());
  auto shared = std::make_shared<const QueryResult>(std::move(*result));
  entry.result = shared;
  // Stored before the index entry: replacing an older value fires the
  // removal listener, which would otherwise erase the new index entry.
  state_->cache.put(*key, shared, ttl);
  {
    std::lock_guard lk(state_->mu);
    state_->entries[*key] = std::move(entry);
  }
  co_return shared;
}

std::size_t QueryOptimizer::invalidate_table(const std::string& table) {
  std::vector<std::string> keys;
  {
    std::lock_guard lk(state_->mu);
    for (const auto& [k, e] : state_->entries) {
      if (e.table == table) keys.push_back(k);
    }
  }
  std::size_t n = 0;
  for (const auto& k : keys) n += state_->cache.erase(k) ? 1 : 0;
  state_->invalidated += n;
  return n;
}

std::size_t QueryOptimizer::invalidate_key(const std::string& table, const dd::Key& key) {
  std::set<std::string> pairs;
  for (const auto& [name, value] : key) {
    auto v = dd::to_json(value);
    if (v) pairs.insert(name + "=" + *v);
  }
  std::vector<std::string> keys;
  {
    std::lock_guard lk(state_->mu);
    for (const auto& [k, e] : state_->entries) {
      if (e.table != table) continue;
      bool hit = std::any_of(pairs.begin(), pairs.end(),
                             [&](const std::string& p) { return e.equalities.contains(p); });
      if (!hit) {
        if (auto r = e.result.lock()) {
          hit = std::any_of(r->items.begin(), r->items.end(), [&](const dd::Item& item) {
            return std::all_of(key.begin(), key.end(), [&](const auto& kv) {
              auto it = item.find(kv.first);
              return it != item.end() && it->second == kv.second;
            });
          });
        }
      }
      if (hit) keys.push_back(k);
    }
  }
  std::size_t n = 0;
  for (const auto& k : keys) n += state_->cache.erase(k) ? 1 : 0;
  state_->invalidated += n;
  return n;
}

QueryOptimizerStatistics QueryOptimizer::statistics() const {
  return {.queries = state_->queries.load(),
          .pages = state_->pages.load(),
          .cache_hits = state_->hits.load(),
          .cache_misses = state_->misses.load(),
          .invalidated = state_->invalidated.load()};
}

}  // namespace awsperf::query

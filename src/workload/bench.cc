#include "awsperf/workload/bench.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cctype>
#include <deque>
#include <future>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "awsperf/cache/async.h"
#include "awsperf/cache/cache.h"
#include "awsperf/cache/multi_level.h"
#include "awsperf/cache/redis_cache.h"
#include "awsperf/dynamodb/client.h"
#include "awsperf/monitor/monitor.h"

namespace awsperf::workload {

namespace asio = boost::asio;
namespace ddb = awsperf::dynamodb;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string_view bench_mode_name(BenchMode mode) {
  switch (mode) {
    case BenchMode::kBaseline:
      return "baseline";
    case BenchMode::kPooled:
      return "pooled";
    case BenchMode::kOptimized:
      return "optimized";
  }
  return "unknown";
}

Result<std::vector<BenchMode>> parse_modes(std::string_view list) {
  std::vector<BenchMode> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view m = list.substr(start, end - start);
    BenchMode mode;
    if (m == "baseline") {
      mode = BenchMode::kBaseline;
    } else if (m == "pooled") {
      mode = BenchMode::kPooled;
    } else if (m == "optimized") {
      mode = BenchMode::kOptimized;
    } else {
      return make_error(
          ErrorCode::kInvalidArgument,
          "unknown mode '" + std::string(m) + "' (expected baseline, pooled or optimized)");
    }
    if (std::find(out.begin(), out.end(), mode) != out.end()) {
      return make_error(ErrorCode::kInvalidArgument, "mode " + std::string(m) + " is listed twice");
    }
    out.push_back(mode);
    start = end + 1;
  }
  return out;
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  std::string t(text);
  size_t digits = 0;
  while (digits < t.size() &&
         (std::isdigit(static_cast<unsigned char>(t[digits])) || t[digits] == '.')) {
    ++digits;
  }
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + t + "' is not a duration (examples: 15s, 500ms, 2ms, 1m)");
  };
  if (digits == 0) return bad();
  double value = 0;
  try {
    size_t used = 0;
    value = std::stod(t.substr(0, digits), &used);
    if (used != digits) return bad();
  } catch (...) {
    return bad();
  }
  std::string unit = t.substr(digits);
  double ns_per_unit = 0;
  if (unit.empty() || unit == "s") {
    ns_per_unit = 1e9;
  } else if (unit == "ms") {
    ns_per_unit = 1e6;
  } else if (unit == "us") {
    ns_per_unit = 1e3;
  } else if (unit == "ns") {
    ns_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    ns_per_unit = 60e9;
  } else {
    return bad();
  }
  double ns = value * ns_per_unit;
  if (!(ns >= 0) || ns > 1e15) return bad();
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

Result<cache::RedisOptions> parse_redis_url(std::string_view url) {
  std::string rest(url);
  if (rest.rfind("redis://", 0) == 0) rest = rest.substr(8);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  cache::RedisOptions o;
  std::string port = colon == std::string::npos ? "6379" : rest.substr(colon + 1);
  o.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (o.host == "localhost") o.host = "127.0.0.1";
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (o.host.empty() || port.empty() || *end != '\0' || p < 1 || p > 65535 ||
      rest.find('@') != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      "'" + std::string(url) + "' is not a Redis URL (redis://host:port)");
  }
  o.port = static_cast<int>(p);
  return o;
}

double improvement_percent(double baseline, double value) {
  if (baseline == 0) return 0;
  return 100.0 * (baseline - value) / baseline;
}

LatencySummary LatencySummary::from(const monitor::HistogramSnapshot& h) {
  return LatencySummary{.mean_us = h.mean() / 1e3,
                        .p50_us = static_cast<double>(h.quantile(0.50)) / 1e3,
                        .p95_us = static_cast<double>(h.quantile(0.95)) / 1e3,
                        .p99_us = static_cast<double>(h.quantile(0.99)) / 1e3,
                        .p999_us = static_cast<double>(h.quantile(0.999)) / 1e3,
                        .max_us = static_cast<double>(h.max()) / 1e3};
}

const ModeResult* WorkloadResult::mode(BenchMode m) const {
  for (const auto& r : modes) {
    if (r.mode == m) return &r;
  }
  return nullptr;
}

namespace {

// Records live in groups of kGroupSize consecutive numbers under one
// partition key, so YCSB E's short range scans are Queries.
constexpr std::uint64_t kGroupSize = 100;

std::string partition_of(std::uint64_t record) {
  return "user" + std::to_string(record / kGroupSize);
}

ddb::Key key_of(std::uint64_t record) {
  return ddb::Key{{"pk", partition_of(record)}, {"sk", record}};
}

std::string cache_key_of(std::uint64_t record) { return std::to_string(record); }

std::string random_field(std::mt19937_64& rng, int bytes) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(static_cast<size_t>(bytes), ' ');
  for (auto& c : s) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return s;
}

ddb::Item make_record(std::uint64_t record, const BenchOptions& o, std::mt19937_64& rng) {
  ddb::Item item = key_of(record);
  for (int f = 0; f < o.field_count; ++f) {
    item["field" + std::to_string(f)] = random_field(rng, o.field_bytes);
  }
  return item;
}

// Runs a coroutine to completion on `io`.
// The pools keep timers on `io`, so it never runs out of work: run it until
// this operation is done.
template <typename T>
T run_on(asio::io_context& io, asio::awaitable<T> op) {
  auto future = asio::co_spawn(io, std::move(op), asio::use_future);
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return future.get();
}

asio::awaitable<void> sleep_for(std::chrono::nanoseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// ---- coalesced reads ---------------------------------------------------------

// Gathers the GetItem misses that arrive while the event loop is busy and
// sends them as one BatchGetItem (one GetItem when alone). Keys that come
// back unprocessed are retried in the next batch. Single-threaded: all calls
// on one io_context thread.
class ReadCoalescer {
 public:
  ReadCoalescer(ddb::Client& client, std::string table)
      : client_(client), table_(std::move(table)) {}

  asio::awaitable<Result<std::optional<ddb::Item>>> load(std::uint64_t record) {
    auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    waiter->record = record;
    queue_.push_back(waiter);
    if (!scheduled_) {
      scheduled_ = true;
      asio::post(waiter->timer.get_executor(), [this, ex = waiter->timer.get_executor()] {
        scheduled_ = false;
        dispatch(ex);
      });
    }
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return std::move(*waiter->result);
  }

  std::uint64_t batches() const { return batches_; }

 private:
  struct Waiter {
    explicit Waiter(asio::any_io_executor ex) : timer(ex, SteadyClock::time_point::max()) {}
    std::uint64_t record = 0;
    asio::steady_timer timer;
    std::optional<Result<std::optional<ddb::Item>>> result;
    void complete(Result<std::optional<ddb::Item>> r) {
      result.emplace(std::move(r));
      timer.cancel();
    }
  };
  using WaiterPtr = std::shared_ptr<Waiter>;

  void dispatch(asio::any_io_executor ex) {
    while (!queue_.empty()) {
      auto batch = std::make_shared<std::vector<WaiterPtr>>();
      while (!queue_.empty() && batch->size() < 100) {
        batch->push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++batches_;
      asio::co_spawn(ex, send(this, batch), asio::detached);
    }
  }

  static asio::awaitable<void> send(ReadCoalescer* self,
                                    std::shared_ptr<std::vector<WaiterPtr>> batch) {
    if (batch->size() == 1) {
      ddb::GetItemRequest request{.table_name = self->table_, .key = key_of((*batch)[0]->record)};
      auto r = co_await self->client_.get_item(std::move(request));
      if (!r) {
        (*batch)[0]->complete(make_error(std::move(r.error())));
      } else {
        (*batch)[0]->complete(std::move(r->item));
      }
      co_return;
    }
    // Duplicate keys are not allowed in one BatchGetItem; the cache's
    // single-flight already removes most, so group what remains.
    std::map<std::uint64_t, std::vector<WaiterPtr>> by_record;
    for (auto& w : *batch) by_record[w->record].push_back(w);
    ddb::BatchGetItemRequest request;
    auto& keys = request.request_items[self->table_].keys;
    for (const auto& [record, waiters] : by_record) keys.push_back(key_of(record));
    auto r = co_await self->client_.batch_get_item(std::move(request));
    if (!r) {
      for (auto& w : *batch) w->complete(make_error(r.error()));
      co_return;
    }
    for (auto& item : r->responses[self->table_]) {
      auto sk = item.at("sk").to_int64();
      if (!sk) continue;
      auto it = by_record.find(static_cast<std::uint64_t>(*sk));
      if (it == by_record.end()) continue;
      for (auto& w : it->second) w->complete(std::optional<ddb::Item>(item));
      by_record.erase(it);
    }
    std::set<std::uint64_t> unprocessed;
    if (auto u = r->unprocessed_keys.find(self->table_); u != r->unprocessed_keys.end()) {
      for (const auto& key : u->second.keys) {
        if (auto sk = key.at("sk").to_int64()) unprocessed.insert(static_cast<std::uint64_t>(*sk));
      }
    }
    for (auto& [record, waiters] : by_record) {
      if (unprocessed.contains(record)) {
        // Back in the queue for the next batch.
        for (auto& w : waiters) self->queue_.push_back(w);
      } else {
        for (auto& w : waiters) w->complete(std::optional<ddb::Item>());
      }
    }
    if (!self->queue_.empty() && !self->scheduled_) {
      self->scheduled_ = true;
      auto ex = co_await asio::this_coro::executor;
      asio::post(ex, [self, ex] {
        self->scheduled_ = false;
        self->dispatch(ex);
      });
    }
  }

  ddb::Client& client_;
  std::string table_;
  std::deque<WaiterPtr> queue_;
  bool scheduled_ = false;
  std::uint64_t batches_ = 0;
};

using ItemCache = cache::Cache<std::string, ddb::Item>;

// The loader the cache calls on a miss: a named type, not a capturing lambda
// (docs/gcc12-coroutines.md).
struct CoalescedLoader {
  ReadCoalescer* coalescer;
  asio::awaitable<Result<std::optional<ddb::Item>>> operator()(const std::string& key) const {
    co_return co_await coalescer->load(std::stoull(key));
  }
};

// ---- one mode's client and operations ------------------------------------------

// The loader of the multi-level cache: the coalesced read, as bytes (the
// item's JSON wire form). A named type (docs/gcc12-coroutines.md).
struct CoalescedBytesLoader {
  ReadCoalescer* coalescer;
  std::uint64_t* loads;  // reads that reached the database
  asio::awaitable<Result<std::optional<std::string>>> operator()(const std::string& key) const {
    ++*loads;
    auto item = co_await coalescer->load(std::stoull(key));
    if (!item) co_return make_error(std::move(item.error()));
    if (!*item) co_return std::optional<std::string>();
    auto bytes = ddb::to_json(**item);
    if (!bytes) co_return make_error(std::move(bytes.error()));
    co_return std::optional<std::string>(std::move(*bytes));
  }
};

struct ModeContext {
  BenchMode mode;
  const BenchOptions* options;
  std::unique_ptr<ddb::Client> client;
  std::unique_ptr<ItemCache> cache;
  std::shared_ptr<cache::RedisCache> redis;
  std::unique_ptr<cache::MultiLevelCache> multi_level;
  // Multi-level reads, and those of them that reached the database.
  std::uint64_t multi_level_reads = 0;
  std::uint64_t multi_level_loads = 0;
  std::unique_ptr<ReadCoalescer> coalescer;
  std::unique_ptr<OperationGenerator> generator;
  std::mt19937_64 rng;
};

asio::awaitable<Result<std::optional<ddb::Item>>> read_record(ModeContext& m,
                                                              std::uint64_t record) {
  if (m.multi_level) {
    ++m.multi_level_reads;
    cache::MultiLevelCache::Loader loader =
        CoalescedBytesLoader{m.coalescer.get(), &m.multi_level_loads};
    auto bytes = co_await m.multi_level->get(cache_key_of(record), loader);
    if (!bytes) co_return make_error(std::move(bytes.error()));
    if (!*bytes) co_return std::optional<ddb::Item>();
    auto item = ddb::item_from_json(**bytes);
    if (!item) co_return make_error(std::move(item.error()));
    co_return std::optional<ddb::Item>(std::move(*item));
  }
  if (m.cache) {
    CoalescedLoader loader{m.coalescer.get()};
    co_return co_await cache::get_or_load_async(*m.cache, cache_key_of(record), loader);
  }
  ddb::GetItemRequest request{.table_name = m.options->table, .key = key_of(record)};
  auto r = co_await m.client->get_item(std::move(request));
  if (!r) co_return make_error(std::move(r.error()));
  co_return std::move(r->item);
}

// Write-through after a durable write: the new item into the cache(s).
asio::awaitable<void> cache_store(ModeContext& m, std::uint64_t record,
                                  std::optional<ddb::Item> item) {
  if (m.multi_level) {
    if (item) {
      auto bytes = ddb::to_json(*item);
      if (bytes) {
        co_await m.multi_level->put(cache_key_of(record), std::move(*bytes));
        co_return;
      }
    }
    co_await m.multi_level->invalidate(cache_key_of(record));
  } else if (m.cache) {
    if (item) {
      m.cache->put(cache_key_of(record), std::move(*item));
    } else {
      m.cache->erase(cache_key_of(record));
    }
  }
}

asio::awaitable<Status> update_record(ModeContext& m, std::uint64_t record) {
  const int field = static_cast<int>(m.rng() % static_cast<std::uint64_t>(m.options->field_count));
  ddb::UpdateItemRequest request{
      .table_name = m.options->table,
      .key = key_of(record),
      .update_expression = "SET #f = :v",
      .expression_attribute_names = {{"#f", "field" + std::to_string(field)}},
      .expression_attribute_values = {{":v", random_field(m.rng, m.options->field_bytes)}},
      // Write-through needs the new item; the others need nothing back.
      .return_values =
          (m.cache || m.multi_level) ? ddb::ReturnValues::kAllNew : ddb::ReturnValues::kNone};
  auto r = co_await m.client->update_item(std::move(request));
  if (!r) co_return make_error(std::move(r.error()));
  if (m.cache || m.multi_level) co_await cache_store(m, record, std::move(r->attributes));
  co_return Status{};
}

asio::awaitable<Status> insert_record(ModeContext& m, std::uint64_t record) {
  ddb::Item item = make_record(record, *m.options, m.rng);
  ddb::PutItemRequest request{.table_name = m.options->table, .item = item};
  auto r = co_await m.client->put_item(std::move(request));
  if (!r) co_return make_error(std::move(r.error()));
  if (m.cache || m.multi_level) co_await cache_store(m, record, std::move(item));
  co_return Status{};
}

asio::awaitable<Status> scan_records(ModeContext& m, std::uint64_t record, int length) {
  ddb::QueryRequest request{
      .table_name = m.options->table,
      .key_condition_expression = "pk = :p AND sk >= :s",
      .expression_attribute_values = {{":p", partition_of(record)}, {":s", record}},
      .limit = length};
  auto r = co_await m.client->query(std::move(request));
  if (!r) co_return make_error(std::move(r.error()));
  co_return Status{};
}

asio::awaitable<Status> run_operation(ModeContext& m) {
  Operation op = m.generator->next();
  switch (op.kind) {
    case OpKind::kRead: {
      auto r = co_await read_record(m, op.key);
      if (!r) co_return make_error(std::move(r.error()));
      co_return Status{};
    }
    case OpKind::kUpdate:
      co_return co_await update_record(m, op.key);
    case OpKind::kInsert:
      co_return co_await insert_record(m, op.key);
    case OpKind::kScan:
      co_return co_await scan_records(m, op.key, op.scan_length);
    case OpKind::kReadModifyWrite: {
      auto r = co_await read_record(m, op.key);
      if (!r) co_return make_error(std::move(r.error()));
      co_return co_await update_record(m, op.key);
    }
  }
  co_return Status{};
}

// Named operation object for the load driver.
struct OperationCall {
  ModeContext* m;
  asio::awaitable<Status> operator()() const { return run_operation(*m); }
};

Result<std::unique_ptr<ddb::Client>> make_client(asio::io_context& io, const BenchOptions& o,
                                                 BenchMode mode,
                                                 monitor::PerformanceMonitor* monitor) {
  http::PoolOptions pool;
  pool.keep_alive = mode != BenchMode::kBaseline;
  pool.max_sockets = 256;
  pool.max_free_sockets = 256;
  pool.connect_timeout = 5s;
  pool.request_timeout = 30s;
  pool.acquire_timeout = 30s;
  ddb::ClientOptions options{.endpoint_url = o.endpoint_url,
                             .region = o.region,
                             .credentials = o.credentials,
                             .pool = pool,
                             .monitor = monitor};
  return ddb::Client::create(io.get_executor(), std::move(options));
}

// ---- set-up ----------------------------------------------------------------------

asio::awaitable<Status> ensure_table(ddb::Client& client, const BenchOptions& o) {
  ddb::DescribeTableRequest describe{.table_name = o.table};
  auto d = co_await client.describe_table(std::move(describe));
  if (d) co_return Status{};
  if (d.error().aws_type != "ResourceNotFoundException") co_return make_error(std::move(d.error()));
  ddb::CreateTableRequest create{
      .table_name = o.table,
      .attribute_definitions = {{"pk", ddb::ScalarType::kS}, {"sk", ddb::ScalarType::kN}},
      .key_schema = {{"pk", ddb::KeyType::kHash}, {"sk", ddb::KeyType::kRange}},
      .billing_mode = ddb::BillingMode::kPayPerRequest};
  auto c = co_await client.create_table(std::move(create));
  if (!c && c.error().aws_type != "ResourceInUseException")
    co_return make_error(std::move(c.error()));
  auto active = co_await client.wait_until_active(o.table);
  if (!active) co_return make_error(std::move(active.error()));
  co_return Status{};
}

struct LoadState {
  std::uint64_t next = 0;
  std::uint64_t done = 0;
  std::optional<Error> error;
};

asio::awaitable<void> load_worker(ddb::Client* client, const BenchOptions* o, LoadState* state,
                                  std::uint64_t seed, SteadyClock::time_point start) {
  std::mt19937_64 rng(seed);
  while (!state->error && state->next < o->records) {
    ddb::BatchWriteItemRequest request;
    auto& writes = request.request_items[o->table];
    std::uint64_t first = state->next;
    std::uint64_t last = std::min(o->records, first + 25);
    state->next = last;
    for (std::uint64_t r = first; r < last; ++r) {
      writes.push_back({.put_item = make_record(r, *o, rng)});
    }
    // Unprocessed items go again until none are left.
    for (int attempt = 0; !request.request_items.empty(); ++attempt) {
      auto result = co_await client->batch_write_item(std::move(request));
      if (!result) {
        state->error = result.error();
        co_return;
      }
      request = ddb::BatchWriteItemRequest{};
      request.request_items = std::move(result->unprocessed_items);
      if (!request.request_items.empty())
        co_await sleep_for(std::chrono::milliseconds(10 << std::min(attempt, 6)));
    }
    state->done += last - first;
    if (o->load_progress) o->load_progress(state->done, o->records, SteadyClock::now() - start);
  }
}

asio::awaitable<Status> load_records(ddb::Client& client, const BenchOptions& o) {
  LoadState state;
  const auto start = SteadyClock::now();
  auto ex = co_await asio::this_coro::executor;
  constexpr int kWorkers = 8;
  auto remaining = std::make_shared<int>(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    asio::co_spawn(ex,
                   load_worker(&client, &o, &state, o.seed + static_cast<std::uint64_t>(w), start),
                   [remaining](std::exception_ptr) { --*remaining; });
  }
  while (*remaining > 0) co_await sleep_for(2ms);
  if (state.error) co_return make_error(*state.error);
  co_return Status{};
}

// Fills the cache from a parallel scan of the table, as a long-running
// service's cache would be.
asio::awaitable<Status> warm_cache(ModeContext& m, int segments) {
  for (int s = 0; s < segments; ++s) {
    std::optional<ddb::Key> start;
    do {
      ddb::ScanRequest request{.table_name = m.options->table,
                               .exclusive_start_key = start,
                               .segment = s,
                               .total_segments = segments};
      auto page = co_await m.client->scan(std::move(request));
      if (!page) co_return make_error(std::move(page.error()));
      for (auto& item : page->items) {
        auto sk = item.at("sk").to_int64();
        if (!sk) continue;
        co_await cache_store(m, static_cast<std::uint64_t>(*sk), std::move(item));
      }
      start = page->last_evaluated_key;
    } while (start);
  }
  co_return Status{};
}

std::vector<std::pair<double, double>> percentile_curve(const monitor::HistogramSnapshot& h) {
  std::vector<std::pair<double, double>> out;
  for (double q : {0.0, 0.10, 0.25, 0.50, 0.68, 0.80, 0.90, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998,
                   0.999, 0.9995, 0.9999, 1.0}) {
    out.emplace_back(q, static_cast<double>(h.quantile(q)) / 1e3);
  }
  return out;
}

}  // namespace

Result<BenchReport> run_bench(const BenchOptions& o) {
  if (o.records < 1) return make_error(ErrorCode::kInvalidArgument, "--records must be at least 1");
  if (o.field_count < 1 || o.field_bytes < 1 || o.field_count * o.field_bytes > 350 * 1024) {
    return make_error(ErrorCode::kInvalidArgument, "record fields must be 1 .. 350 KB in all");
  }
  if (o.modes.empty()) return make_error(ErrorCode::kInvalidArgument, "no mode selected");
  std::vector<WorkloadMix> workloads = o.workloads;
  if (workloads.empty()) workloads.push_back(*ycsb_workload("B"));
  auto log = [&](const std::string& line) {
    if (o.log) o.log(line);
  };

  asio::io_context io(1);
  monitor::PerformanceMonitor monitor;
  BenchReport report{
      .target = o.target,
      .records = o.records,
      .network_delay_ms = std::chrono::duration<double, std::milli>(o.network_delay).count(),
      .tls = o.tls,
      .load = o.load == LoadKind::kCalibrated ? "calibrated"
              : o.load == LoadKind::kOpenLoop ? "open-loop"
                                              : "closed-loop",
      .duration_s = std::chrono::duration<double>(o.duration).count(),
      .warmup_s = std::chrono::duration<double>(o.warmup).count()};

  // Set-up through a pooled client: table and records.
  {
    auto setup = make_client(io, o, BenchMode::kPooled, &monitor);
    if (!setup) return make_error(setup.error());
    log("preparing table " + o.table + " at " + o.target);
    Status t = run_on(io, ensure_table(**setup, o));
    if (!t) {
      Error e = t.error();
      e.message = "cannot use table " + o.table + " at " + o.target + ": " + e.message;
      return make_error(std::move(e));
    }
    const auto start = SteadyClock::now();
    Status l = run_on(io, load_records(**setup, o));
    if (!l) return make_error(l.error());
    report.load_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  }

  std::optional<cache::RedisOptions> redis;
  report.cache = "in-process W-TinyLFU";
  if (o.redis_url) {
    auto parsed = parse_redis_url(*o.redis_url);
    if (!parsed) return make_error(parsed.error());
    redis = std::move(*parsed);
    redis->key_prefix = "awsperf:bench:" + o.table + ":";
    redis->channel = "awsperf:bench:" + o.table + ":invalidate";
    report.cache += " + Redis L2 at " + redis->host + ":" + std::to_string(redis->port);
  }

  std::atomic<std::uint64_t> insert_counter{o.records};
  for (const WorkloadMix& mix : workloads) {
    WorkloadResult wr{.name = mix.name};
    Distribution dist = o.distribution.value_or(mix.distribution);
    wr.distribution = dist == Distribution::kUniform   ? "uniform"
                      : dist == Distribution::kLatest  ? "latest"
                      : dist == Distribution::kZipfian ? "zipfian"
                                                       : "scrambled_zipfian";
    auto make_context = [&](BenchMode mode,
                            std::uint64_t seed) -> Result<std::unique_ptr<ModeContext>> {
      auto ctx = std::make_unique<ModeContext>();
      ctx->mode = mode;
      ctx->options = &o;
      ctx->rng.seed(seed);
      auto client = make_client(io, o, mode, &monitor);
      if (!client) return make_error(client.error());
      ctx->client = std::move(*client);
      auto gen = OperationGenerator::create(mix, o.records, seed, &insert_counter, o.distribution);
      if (!gen) return make_error(gen.error());
      ctx->generator = std::move(*gen);
      if (mode == BenchMode::kOptimized) {
        const std::uint64_t entries =
            o.cache_entries ? o.cache_entries : o.records + o.records / 2 + 1000;
        cache::CacheOptions copts{
            .max_entries = entries, .max_bytes = 1ull << 30, .ttl = std::chrono::minutes(30)};
        ctx->coalescer = std::make_unique<ReadCoalescer>(*ctx->client, o.table);
        if (redis) {
          ctx->redis = std::make_shared<cache::RedisCache>(*redis);
          ctx->multi_level = std::make_unique<cache::MultiLevelCache>(
              cache::MultiLevelOptions{.l1 = copts, .l2_ttl = std::chrono::minutes(30)},
              ctx->redis);
        } else {
          ctx->cache = std::make_unique<ItemCache>(copts);
        }
      }
      return ctx;
    };

    // The load every mode is offered.
    LoadOptions measured{.duration = o.ops ? std::nullopt : std::optional(o.duration),
                         .max_ops = o.ops};
    if (o.load == LoadKind::kClosedLoop) {
      measured.mode = LoadOptions::Mode::kClosedLoop;
      measured.concurrency = o.concurrency;
      wr.concurrency = o.concurrency;
    } else {
      measured.mode = LoadOptions::Mode::kOpenLoop;
      double rate = o.rate_per_second;
      if (o.load == LoadKind::kCalibrated) {
        log(std::string("workload ") + mix.name + ": calibrating on the baseline (closed loop, " +
            std::to_string(o.concurrency) + " in flight)");
        auto ctx = make_context(BenchMode::kBaseline, o.seed + 1);
        if (!ctx) return make_error(ctx.error());
        LoadOptions cal{.mode = LoadOptions::Mode::kClosedLoop,
                        .concurrency = o.concurrency,
                        .duration = o.calibration,
                        .warmup = std::min<std::chrono::nanoseconds>(o.warmup, 1s)};
        auto r = run_on(io, run_load(cal, OperationCall{ctx->get()}));
        if (!r) return make_error(r.error());
        if (r->ops == 0 || r->errors == r->ops) {
          auto code = r->errors_by_code.empty() ? std::string("no response")
                                                : r->errors_by_code.begin()->first;
          return make_error(ErrorCode::kUnavailable,
                            "the baseline could not run against " + o.target + " (" + code + ")");
        }
        wr.calibrated_baseline_throughput = r->throughput;
        rate = std::max(1.0, r->throughput / 2);
      }
      measured.rate_per_second = rate;
      wr.offered_rate = rate;
    }

    std::uint64_t seed = o.seed + 100;
    for (BenchMode mode : o.modes) {
      const std::string name(bench_mode_name(mode));
      auto ctx_r = make_context(mode, ++seed);
      if (!ctx_r) return make_error(ctx_r.error());
      ModeContext& ctx = **ctx_r;
      if (ctx.cache) {
        log(std::string("workload ") + mix.name + ": " + name +
            ", warming the cache (parallel scan)");
        Status w = run_on(io, warm_cache(ctx, 4));
        if (!w) return make_error(w.error());
      }
      if (o.warmup.count() > 0) {
        log(std::string("workload ") + mix.name + ": " + name + ", warming up");
        LoadOptions warm = measured;
        warm.duration = o.warmup;
        warm.max_ops.reset();
        auto r = run_on(io, run_load(warm, OperationCall{&ctx}));
        if (!r) return make_error(r.error());
      }
      const auto before = ctx.client->statistics();
      const auto cache_before = ctx.cache ? ctx.cache->stats() : cache::CacheStats{};
      const std::uint64_t ml_reads_before = ctx.multi_level_reads;
      const std::uint64_t ml_loads_before = ctx.multi_level_loads;
      log(std::string("workload ") + mix.name + ": " + name + ", measuring");
      auto r = run_on(io, run_load(measured, OperationCall{&ctx}));
      if (!r) return make_error(r.error());
      const auto after = ctx.client->statistics();
      ModeResult mr{.mode = mode,
                    .ops = r->ops,
                    .errors = r->errors,
                    .throughput = r->throughput,
                    .latency = LatencySummary::from(r->latency),
                    .db_calls = after.attempts - before.attempts,
                    .connections_opened = after.pool.created - before.pool.created,
                    .bytes_received = after.bytes_received - before.bytes_received,
                    .percentile_curve = percentile_curve(r->latency)};
      if (ctx.cache) {
        auto cs = ctx.cache->stats();
        std::uint64_t hits = cs.hits - cache_before.hits;
        std::uint64_t misses = cs.misses - cache_before.misses;
        mr.cache_hit_rate = hits + misses ? static_cast<double>(hits) / (hits + misses) : 0;
      }
      if (ctx.multi_level) {
        // A read served by L1 or L2 is a hit; one that reached the loader is not.
        std::uint64_t reads = ctx.multi_level_reads - ml_reads_before;
        std::uint64_t loads = ctx.multi_level_loads - ml_loads_before;
        mr.cache_hit_rate =
            reads ? 1.0 - static_cast<double>(loads) / static_cast<double>(reads) : 0;
      }
      if (r->errors > 0) {
        log(std::string("workload ") + mix.name + ": " + name + ": " + std::to_string(r->errors) +
            " errors, first: " + r->errors_by_code.begin()->first);
      }
      if (o.floor_duration.count() > 0) {
        log(std::string("workload ") + mix.name + ": " + name + ", latency floor (1 in flight)");
        LoadOptions floor{
            .mode = LoadOptions::Mode::kClosedLoop, .concurrency = 1, .duration = o.floor_duration};
        auto f = run_on(io, run_load(floor, OperationCall{&ctx}));
        if (!f) return make_error(f.error());
        mr.floor = LatencySummary::from(f->latency);
        mr.floor_ops = f->ops;
      }
      wr.modes.push_back(std::move(mr));
    }
    report.workloads.push_back(std::move(wr));
  }
  return report;
}

}  // namespace awsperf::workload

#include "awsperf/cache/multi_level.h"

#include <cstdio>
#include <mutex>
#include <random>

#include "awsperf/cache/async.h"

namespace awsperf::cache {

namespace asio = boost::asio;

namespace {

std::string random_id() {
  std::random_device rd;
  std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

// The subscription callbacks may outlive the cache (the L2 store is shared):
// they reach it through this hook, which the destructor disarms.
struct MultiLevelHook {
  std::mutex mu;
  MultiLevelCache* self = nullptr;
};

namespace detail {

// The loader behind L1: L2, then the origin, filling L2 on the way back. A
// named callable so no capturing coroutine lambda is involved.
struct L2ThenOrigin {
  L2Store* l2;
  MultiLevelCache::Loader origin;
  std::chrono::milliseconds ttl;
  std::atomic<std::uint64_t>* hits;
  std::atomic<std::uint64_t>* misses;
  std::atomic<std::uint64_t>* errors;

  asio::awaitable<Result<std::optional<std::string>>> operator()(const std::string& key) const {
    return fetch(*this, key);
  }

  static asio::awaitable<Result<std::optional<std::string>>> fetch(L2ThenOrigin self,
                                                                   std::string key) {
    auto cached = co_await self.l2->get(key);
    if (cached) {
      if (*cached) {
        self.hits->fetch_add(1, std::memory_order_relaxed);
        co_return std::move(*cached);
      }
      self.misses->fetch_add(1, std::memory_order_relaxed);
    } else {
      self.errors->fetch_add(1, std::memory_order_relaxed);
    }
    auto loaded = co_await self.origin(key);
    if (loaded && *loaded) {
      auto s = co_await self.l2->set(key, **loaded, self.ttl);
      if (!s) self.errors->fetch_add(1, std::memory_order_relaxed);
    }
    co_return loaded;
  }
};

}  // namespace detail

MultiLevelCache::MultiLevelCache(MultiLevelOptions options, std::shared_ptr<L2Store> l2)
    : options_(std::move(options)), l2_(std::move(l2)), l1_(options_.l1), id_(random_id()) {
  if (options_.coherence) {
    auto hook = std::make_shared<MultiLevelHook>();
    hook->self = this;
    hook_ = hook;
    l2_->subscribe(
        [hook](std::string_view message) {
          std::lock_guard lk(hook->mu);
          if (hook->self) hook->self->on_message(message);
        },
        [hook] {
          std::lock_guard lk(hook->mu);
          if (hook->self) hook->self->on_reset();
        });
  }
}

MultiLevelCache::~MultiLevelCache() {
  if (hook_) {
    std::lock_guard lk(hook_->mu);
    hook_->self = nullptr;
  }
}

void MultiLevelCache::on_message(std::string_view message) {
  auto nl = message.find('\n');
  if (nl == std::string_view::npos) return;
  if (message.substr(0, nl) == id_) return;  // our own write: L1 already has it
  invalidations_.fetch_add(1, std::memory_order_relaxed);
  l1_.erase(std::string(message.substr(nl + 1)));
}

void MultiLevelCache::on_reset() {
  resets_.fetch_add(1, std::memory_order_relaxed);
  l1_.clear();
}

asio::awaitable<Result<std::optional<std::string>>> MultiLevelCache::get(std::string key,
                                                                         Loader loader) {
  detail::L2ThenOrigin fetch{l2_.get(), std::move(loader), options_.l2_ttl,
                             &l2_hits_, &l2_misses_,       &l2_errors_};
  co_return co_await get_or_load_async(l1_, std::move(key), std::move(fetch));
}

asio::awaitable<std::optional<std::string>> MultiLevelCache::get(std::string key) {
  if (auto v = l1_.get(key)) co_return v;
  auto r = co_await l2_->get(key);
  if (!r) {
    l2_errors_.fetch_add(1, std::memory_order_relaxed);
    co_return std::nullopt;
  }
  if (!*r) {
    l2_misses_.fetch_add(1, std::memory_order_relaxed);
    co_return std::nullopt;
  }
  l2_hits_.fetch_add(1, std::memory_order_relaxed);
  l1_.put(key, **r);
  co_return std::move(*r);
}

asio::awaitable<std::vector<std::optional<std::string>>> MultiLevelCache::get_many(
    std::vector<std::string> keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<std::string> missing;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out[i] = l1_.get(keys[i]);
    if (!out[i]) {
      missing.push_back(keys[i]);
      where.push_back(i);
    }
  }
  if (missing.empty()) co_return out;
  auto r = co_await l2_->multi_get(missing);
  if (!r) {
    l2_errors_.fetch_add(1, std::memory_order_relaxed);
    co_return out;
  }
  for (std::size_t j = 0; j < where.size() && j < r->size(); ++j) {
    if ((*r)[j]) {
      l2_hits_.fetch_add(1, std::memory_order_relaxed);
      l1_.put(missing[j], *(*r)[j]);
      out[where[j]] = std::move((*r)[j]);
    } else {
      l2_misses_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  co_return out;
}

asio::awaitable<void> MultiLevelCache::put(std::string key, std::string value) {
  l1_.put(key, value);
  auto s = co_await l2_->set(key, std::move(value), options_.l2_ttl);
  if (!s) l2_errors_.fetch_add(1, std::memory_order_relaxed);
  if (options_.coherence) {
    auto p = co_await l2_->publish(id_ + "\n" + key);
    if (!p) l2_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

asio::awaitable<void> MultiLevelCache::invalidate(std::string key) {
  l1_.erase(key);
  auto s = co_await l2_->del(key);
  if (!s) l2_errors_.fetch_add(1, std::memory_order_relaxed);
  if (options_.coherence) {
    auto p = co_await l2_->publish(id_ + "\n" + key);
    if (!p) l2_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

MultiLevelStats MultiLevelCache::stats() const {
  return MultiLevelStats{.l1 = l1_.stats(),
                         .l2_hits = l2_hits_.load(),
                         .l2_misses = l2_misses_.load(),
                         .l2_errors = l2_errors_.load(),
                         .invalidations_received = invalidations_.load(),
                         .l1_resets = resets_.load()};
}

}  // namespace awsperf::cache

#include "awsperf/cache/redis_cache.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace awsperf::cache {

namespace asio = boost::asio;

namespace {

constexpr char kFormatVersion = 1;

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const {
    if (c) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{.tv_sec = static_cast<time_t>(ms.count() / 1000),
                 .tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// Runs `fn` on `pool` and completes the awaiting coroutine on its own
// executor with the result. A named operation, not a capturing coroutine
// lambda (GCC 12 mishandles those).
template <typename R>
struct OffloadOp {
  asio::thread_pool* pool;
  std::function<R()> fn;
  template <typename Handler>
  void operator()(Handler handler) {
    auto ex = asio::get_associated_executor(handler);
    auto work = asio::make_work_guard(ex);
    asio::post(*pool, [handler = std::move(handler), fn = std::move(fn),
                       work = std::move(work)]() mutable {
      R r = fn();
      auto e = work.get_executor();
      asio::post(e, [handler = std::move(handler), r = std::move(r)]() mutable {
        std::move(handler)(std::move(r));
      });
    });
  }
};

template <typename R>
asio::awaitable<R> offload(asio::thread_pool& pool, std::function<R()> fn) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      OffloadOp<R>{&pool, std::move(fn)}, asio::use_awaitable);
}

}  // namespace

struct RedisCache::Impl {
  explicit Impl(RedisOptions o)
      : options(std::move(o)),
        clock(options.clock ? options.clock : Clock::real()),
        pool(std::max<std::size_t>(options.pool_size, 1)) {
    if (options.pool_size == 0) options.pool_size = 1;
    backoff = options.backoff_initial;
  }

  RedisOptions options;
  Clock* clock;
  asio::thread_pool pool;

  // The connection pool: idle connections; a null entry means "connect on use".
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Context> idle;
  std::size_t in_use = 0;
  Clock::time_point retry_at{};  // while now < retry_at, fail fast
  std::chrono::milliseconds backoff{0};

  std::atomic<std::uint64_t> commands{0}, failures{0}, connects{0}, format_errors{0};
  std::atomic<std::uint64_t> subscriptions{0}, drops{0}, messages{0};

  // Subscriber.
  std::mutex sub_mu;
  std::condition_variable sub_cv;
  bool stopping = false;
  std::atomic<bool> subscribed{false};
  std::thread subscriber;

  std::string prefixed(const std::string& key) const { return options.key_prefix + key; }

  Error unavailable(const std::string& why) {
    return Error{
        .code = ErrorCode::kUnavailable,
        .message = "redis " + options.host + ":" + std::to_string(options.port) + ": " + why,
        .retryable = true};
  }

  // A connected context, or an error (fast while backing off).
  Result<Context> acquire() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return in_use < options.pool_size; });
    ++in_use;
    if (!idle.empty()) {
      Context c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    if (clock->now() < retry_at) {
      --in_use;
      cv.notify_one();
      return std::unexpected(unavailable("down, retrying after backoff"));
    }
    lk.unlock();
    timeval tv = to_timeval(options.connect_timeout);
    Context c(redisConnectWithTimeout(options.host.c_str(), options.port, tv));
    if (!c || c->err) {
      std::string why = c ? c->errstr : "cannot allocate context";
      lk.lock();
      --in_use;
      note_failure_locked();
      cv.notify_one();
      return std::unexpected(unavailable("connect: " + why));
    }
    timeval ctv = to_timeval(options.command_timeout);
    redisSetTimeout(c.get(), ctv);
    connects.fetch_add(1, std::memory_order_relaxed);
    return c;
  }

  void note_failure_locked() {
    retry_at = clock->now() + backoff;
    backoff = std::min(backoff * 2, options.backoff_max);
  }

  // Returns a context to the pool; a broken one is dropped and starts the backoff.
  void release(Context c, bool ok) {
    std::lock_guard lk(mu);
    --in_use;
    if (ok) {
      backoff = options.backoff_initial;
      idle.push_back(std::move(c));
    } else {
      failures.fetch_add(1, std::memory_order_relaxed);
      note_failure_locked();
      // Other idle connections are likely dead too (server restarted).
      idle.clear();
    }
    cv.notify_one();
  }

  // Runs `body(context)`; a null reply or a context error marks it broken.
  template <typename R, typename Body>
  Result<R> with_connection(Body body) {
    auto c = acquire();
    if (!c) {
      failures.fetch_add(1, std::memory_order_relaxed);
      return std::unexpected(c.error());
    }
    Result<R> r = body(c->get());
    bool ok = (*c)->err == 0;
    release(std::move(*c), ok);
    return r;
  }

  Result<std::optional<std::string>> decode(redisReply* r) {
    if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
    if (r->type != REDIS_REPLY_STRING) {
      return make_error(ErrorCode::kProtocol,
                        "redis GET: unexpected reply type " + std::to_string(r->type));
    }
    if (r->len < 1 || r->str[0] != kFormatVersion) {
      format_errors.fetch_add(1, std::memory_order_relaxed);
      return std::optional<std::string>();
    }
    return std::optional<std::string>(std::string(r->str + 1, r->len - 1));
  }

  Result<std::optional<std::string>> get(const std::string& key) {
    return with_connection<std::optional<std::string>>(
        [&](redisContext* c) -> Result<std::optional<std::string>> {
          commands.fetch_add(1, std::memory_order_relaxed);
          std::string k = prefixed(key);
          Reply r(static_cast<redisReply*>(redisCommand(c, "GET %b", k.data(), k.size())));
          if (!r) return std::unexpected(unavailable(std::string("GET: ") + c->errstr));
          return decode(r.get());
        });
  }

  Result<std::vector<std::optional<std::string>>> multi_get(const std::vector<std::string>& keys) {
    using Values = std::vector<std::optional<std::string>>;
    if (keys.empty()) return Values{};
    return with_connection<Values>([&](redisContext* c) -> Result<Values> {
      commands.fetch_add(keys.size(), std::memory_order_relaxed);
      for (const auto& key : keys) {
        std::string k = prefixed(key);
        if (redisAppendCommand(c, "GET %b", k.data(), k.size()) != REDIS_OK) {
          return std::unexpected(unavailable(std::string("pipeline: ") + c->errstr));
        }
      }
      Values out;
      out.reserve(keys.size());
      std::optional<Error> first_error;
      // Read every reply even after an error, so the connection stays in sync.
      for (std::size_t i = 0; i < keys.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK) {
          return std::unexpected(unavailable(std::string("pipeline read: ") + c->errstr));
        }
        Reply r(static_cast<redisReply*>(raw));
        auto v = decode(r.get());
        if (!v) {
          if (!first_error) first_error = v.error();
          out.emplace_back();
        } else {
          out.push_back(std::move(*v));
        }
      }
      if (first_error) return std::unexpected(*first_error);
      return out;
    });
  }

  Status simple(const char* what, std::function<redisReply*(redisContext*)> send) {
    return with_connection<void>([&](redisContext* c) -> Status {
      commands.fetch_add(1, std::memory_order_relaxed);
      Reply r(send(c));
      if (!r) return std::unexpected(unavailable(std::string(what) + ": " + c->errstr));
      if (r->type == REDIS_REPLY_ERROR) {
        return make_error(ErrorCode::kService,
                          std::string("redis ") + what + ": " + std::string(r->str, r->len));
      }
      return {};
    });
  }

  Status set(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
    if (value.size() > options.max_value_bytes) {
      return make_error(ErrorCode::kTooLarge, "value of " + std::to_string(value.size()) +
                                                  " bytes is over max_value_bytes (" +
                                                  std::to_string(options.max_value_bytes) + ")");
    }
    std::string k = prefixed(key);
    std::string v;
    v.reserve(value.size() + 1);
    v += kFormatVersion;
    v += value;
    return simple("SET", [&](redisContext* c) {
      if (ttl.count() > 0) {
        return static_cast<redisReply*>(redisCommand(c, "SET %b %b PX %lld", k.data(), k.size(),
                                                     v.data(), v.size(),
                                                     static_cast<long long>(ttl.count())));
      }
      return static_cast<redisReply*>(
          redisCommand(c, "SET %b %b", k.data(), k.size(), v.data(), v.size()));
    });
  }

  Status del(const std::string& key) {
    std::string k = prefixed(key);
    return simple("DEL", [&](redisContext* c) {
      return static_cast<redisReply*>(redisCommand(c, "DEL %b", k.data(), k.size()));
    });
  }

  Status publish(const std::string& message) {
    return simple("PUBLISH", [&](redisContext* c) {
      return static_cast<redisReply*>(redisCommand(c, "PUBLISH %b %b", options.channel.data(),
                                                   options.channel.size(), message.data(),
                                                   message.size()));
    });
  }

  // ---- the subscriber thread ----

  bool wait_or_stop(std::chrono::milliseconds d) {
    std::unique_lock lk(sub_mu);
    return sub_cv.wait_for(lk, d, [&] { return stopping; });
  }
  bool stop_requested() {
    std::lock_guard lk(sub_mu);
    return stopping;
  }

  void run_subscriber(std::function<void(std::string_view)> on_message,
                      std::function<void()> on_reset) {
    auto delay = options.backoff_initial;
    while (!stop_requested()) {
      timeval tv = to_timeval(options.connect_timeout);
      Context c(redisConnectWithTimeout(options.host.c_str(), options.port, tv));
      Reply sub;
      if (c && !c->err) {
        redisSetTimeout(c.get(), to_timeval(options.command_timeout));
        sub.reset(static_cast<redisReply*>(
            redisCommand(c.get(), "SUBSCRIBE %b", options.channel.data(), options.channel.size())));
      }
      if (!sub || sub->type != REDIS_REPLY_ARRAY) {
        if (wait_or_stop(delay)) return;
        delay = std::min(delay * 2, options.backoff_max);
        continue;
      }
      delay = options.backoff_initial;
      subscribed = true;
      subscriptions.fetch_add(1, std::memory_order_relaxed);
      // Messages published while we were not subscribed are lost.
      on_reset();
      bool alive = true;
      while (alive && !stop_requested()) {
        // Drain what is buffered, then wait for more (bounded, to see stop).
        for (;;) {
          void* raw = nullptr;
          if (redisGetReplyFromReader(c.get(), &raw) != REDIS_OK) {
            alive = false;
            break;
          }
          if (raw == nullptr) break;
          Reply r(static_cast<redisReply*>(raw));
          if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
              r->element[0]->type == REDIS_REPLY_STRING &&
              std::string_view(r->element[0]->str, r->element[0]->len) == "message" &&
              r->element[2]->type == REDIS_REPLY_STRING) {
            messages.fetch_add(1, std::memory_order_relaxed);
            on_message(std::string_view(r->element[2]->str, r->element[2]->len));
          }
        }
        if (!alive) break;
        pollfd p{.fd = c->fd, .events = POLLIN, .revents = 0};
        int n = ::poll(&p, 1, 100);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && redisBufferRead(c.get()) != REDIS_OK) break;
      }
      subscribed = false;
      if (stop_requested()) return;
      drops.fetch_add(1, std::memory_order_relaxed);
      on_reset();
    }
  }
};

RedisCache::RedisCache(RedisOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

RedisCache::~RedisCache() {
  {
    std::lock_guard lk(impl_->sub_mu);
    impl_->stopping = true;
  }
  impl_->sub_cv.notify_all();
  if (impl_->subscriber.joinable()) impl_->subscriber.join();
  impl_->pool.join();
}

asio::awaitable<Result<std::optional<std::string>>> RedisCache::get(std::string key) {
  return offload<Result<std::optional<std::string>>>(
      impl_->pool, [impl = impl_.get(), key = std::move(key)] { return impl->get(key); });
}

asio::awaitable<Result<std::vector<std::optional<std::string>>>> RedisCache::multi_get(
    std::vector<std::string> keys) {
  return offload<Result<std::vector<std::optional<std::string>>>>(
      impl_->pool, [impl = impl_.get(), keys = std::move(keys)] { return impl->multi_get(keys); });
}

asio::awaitable<Status> RedisCache::set(std::string key, std::string value,
                                        std::chrono::milliseconds ttl) {
  return offload<Status>(impl_->pool,
                         [impl = impl_.get(), key = std::move(key), value = std::move(value), ttl] {
                           return impl->set(key, value, ttl);
                         });
}

asio::awaitable<Status> RedisCache::del(std::string key) {
  return offload<Status>(impl_->pool,
                         [impl = impl_.get(), key = std::move(key)] { return impl->del(key); });
}

asio::awaitable<Status> RedisCache::publish(std::string message) {
  return offload<Status>(impl_->pool,
                         [impl = impl_.get(), m = std::move(message)] { return impl->publish(m); });
}

void RedisCache::subscribe(std::function<void(std::string_view)> on_message,
                           std::function<void()> on_reset) {
  std::lock_guard lk(impl_->sub_mu);
  if (impl_->subscriber.joinable() || impl_->stopping) return;
  impl_->subscriber =
      std::thread([impl = impl_.get(), on_message = std::move(on_message),
                   on_reset = std::move(on_reset)] { impl->run_subscriber(on_message, on_reset); });
}

Result<std::optional<std::string>> RedisCache::get_blocking(const std::string& key) {
  return impl_->get(key);
}
Result<std::vector<std::optional<std::string>>> RedisCache::multi_get_blocking(
    const std::vector<std::string>& keys) {
  return impl_->multi_get(keys);
}
Status RedisCache::set_blocking(const std::string& key, const std::string& value,
                                std::chrono::milliseconds ttl) {
  return impl_->set(key, value, ttl);
}
Status RedisCache::del_blocking(const std::string& key) { return impl_->del(key); }
Status RedisCache::publish_blocking(const std::string& message) { return impl_->publish(message); }

bool RedisCache::subscribed() const { return impl_->subscribed.load(); }

RedisStats RedisCache::stats() const {
  return RedisStats{.commands = impl_->commands.load(),
                    .failures = impl_->failures.load(),
                    .connects = impl_->connects.load(),
                    .format_errors = impl_->format_errors.load(),
                    .subscriptions = impl_->subscriptions.load(),
                    .subscription_drops = impl_->drops.load(),
                    .messages = impl_->messages.load()};
}

}  // namespace awsperf::cache

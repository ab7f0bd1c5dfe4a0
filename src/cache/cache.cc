#include "awsperf/cache/cache.h"

#include <time.h>

namespace awsperf::cache::detail {

std::uint64_t mix_hash(std::uint64_t x) {
  // murmur3's finalizer: std::hash of integers is the identity, and the shard
  // index, table position and sketch all need well-spread bits.
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

std::uint32_t auto_shards(std::uint64_t max_entries) {
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::uint32_t n = std::bit_ceil(std::min(4u * hw, 64u));
  // Small caches keep few shards: each shard runs its own policy, and a policy
  // over a handful of entries loses hit rate.
  while (n > 1 && max_entries / n < 32) n /= 2;
  return n;
}

std::int64_t coarse_resolution_ns() {
  timespec r{};
  clock_getres(CLOCK_MONOTONIC_COARSE, &r);
  return static_cast<std::int64_t>(r.tv_sec) * 1'000'000'000 + r.tv_nsec;
}

std::int64_t coarse_now_ns() {
  // CLOCK_MONOTONIC_COARSE is steady_clock's timeline (CLOCK_MONOTONIC) as of
  // the last tick.
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

Background::~Background() { stop(); }

void Background::start_maintenance(Maintenance m) {
  std::lock_guard lk(mu_);
  threads_.emplace_back([this, m = std::move(m)] {
    using SteadyClock = std::chrono::steady_clock;
    constexpr auto kNever = SteadyClock::time_point::max();
    auto next_periodic = m.periodic ? SteadyClock::now() + m.periodic_interval : kNever;
    auto next_request_allowed = SteadyClock::now();
    std::unique_lock lk(mu_);
    for (;;) {
      if (stopping_) return;
      auto now = SteadyClock::now();
      bool request_due = m.on_request && requested_.load() && now >= next_request_allowed;
      bool periodic_due = now >= next_periodic;
      if (request_due || periodic_due) {
        if (request_due) requested_.store(false);
        lk.unlock();
        if (request_due) m.on_request();
        if (periodic_due) m.periodic();
        lk.lock();
        now = SteadyClock::now();
        if (request_due) next_request_allowed = now + m.request_interval;
        if (periodic_due) next_periodic = now + m.periodic_interval;
        continue;
      }
      auto deadline = next_periodic;
      if (m.on_request && requested_.load()) deadline = std::min(deadline, next_request_allowed);
      if (deadline == kNever) {
        cv_.wait(lk);
      } else {
        cv_.wait_until(lk, deadline);
      }
    }
  });
}

void Background::submit(std::function<void()> task) {
  std::lock_guard lk(mu_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  if (workers_ < threads_wanted_) {
    ++workers_;
    threads_.emplace_back([this] {
      std::unique_lock lk(mu_);
      for (;;) {
        cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
        if (stopping_) return;
        auto t = std::move(tasks_.front());
        tasks_.erase(tasks_.begin());
        lk.unlock();
        t();
        lk.lock();
      }
    });
  } else {
    cv_.notify_all();
  }
}

void Background::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    threads.swap(threads_);
    tasks_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

}  // namespace awsperf::cache::detail

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

void Background::start_periodic(std::chrono::nanoseconds interval, std::function<void()> fn) {
  std::lock_guard lk(mu_);
  threads_.emplace_back([this, interval, fn = std::move(fn)] {
    std::unique_lock lk(mu_);
    for (;;) {
      if (cv_.wait_for(lk, interval, [&] { return stopping_; })) return;
      lk.unlock();
      fn();
      lk.lock();
    }
  });
}

void Background::start_on_request(std::chrono::nanoseconds interval, std::function<void()> fn) {
  std::lock_guard lk(mu_);
  threads_.emplace_back([this, interval, fn = std::move(fn)] {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return stopping_ || requested_.load(); });
      if (stopping_) return;
      requested_.store(false);
      lk.unlock();
      fn();
      lk.lock();
      // The rate limit: what arrives meanwhile waits for the next run.
      if (cv_.wait_for(lk, interval, [&] { return stopping_; })) return;
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

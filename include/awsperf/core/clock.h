// An injectable clock, so that everything that expires or times out can be
// tested without sleeping.
//
// Thread-safety: every method of every Clock here may be called concurrently.
// ManualClock's advance()/set() are atomic with respect to now().
#ifndef AWSPERF_CORE_CLOCK_H_
#define AWSPERF_CORE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace awsperf {

class Clock {
 public:
  using duration = std::chrono::nanoseconds;
  // Monotonic time as nanoseconds since an unspecified epoch.
  using time_point = std::chrono::time_point<std::chrono::steady_clock, duration>;

  virtual ~Clock() = default;

  // Monotonic now. Use for durations, deadlines and TTLs.
  virtual time_point now() const = 0;
  // Wall-clock now. Use for timestamps shown to people or exported.
  virtual std::chrono::system_clock::time_point wall_now() const = 0;

  // The process-wide real clock; never null, never destroyed.
  static Clock* real();
};

// The real clock: std::chrono::steady_clock and system_clock.
class SystemClock final : public Clock {
 public:
  time_point now() const override {
    return std::chrono::time_point_cast<duration>(std::chrono::steady_clock::now());
  }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
};

// A clock that moves only when told to. Starts at a fixed, non-zero instant so
// that "time_point{}" is never a valid reading.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(duration start = std::chrono::hours(1)) : nanos_(start.count()) {}

  time_point now() const override {
    return time_point(duration(nanos_.load(std::memory_order_acquire)));
  }
  // Wall time is the Unix epoch plus 1.7e9 seconds plus the monotonic reading,
  // so exported timestamps look plausible and move with advance().
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(
               duration(nanos_.load(std::memory_order_acquire)));
  }

  void advance(duration d) { nanos_.fetch_add(d.count(), std::memory_order_acq_rel); }
  void set(time_point t) { nanos_.store(t.time_since_epoch().count(), std::memory_order_release); }

 private:
  std::atomic<std::int64_t> nanos_;
};

}  // namespace awsperf

#endif  // AWSPERF_CORE_CLOCK_H_

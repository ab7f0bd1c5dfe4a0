// MemoryMonitor: the process's memory over time, and whether it keeps growing.
//
// A sample holds RSS and peak RSS (VmRSS/VmHWM of /proc/self/status) and the
// heap in use (glibc mallinfo2: uordblks + hblkhd). Samples go into a bounded
// ring; trend() fits a least-squares line through them (bytes per minute) and
// flags a suspected leak when the heap keeps growing: the slope over the
// whole ring exceeds leak_min_growth_bytes_per_minute, the ring spans at
// least leak_min_span, and each of its quarters grows too (so one step up,
// such as a cache warming, is not a leak).
//
// Sampling is driven by poll() (samples when sample_interval has passed on
// the clock), by start() (a background thread calling poll()), or by
// add_sample() for injected data.
//
// Thread-safety: every method may be called concurrently.
#ifndef AWSPERF_MONITOR_MEMORY_H_
#define AWSPERF_MONITOR_MEMORY_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"

namespace awsperf::monitor {

struct MemorySample {
  Clock::time_point at{};
  std::uint64_t rss_bytes = 0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t heap_in_use_bytes = 0;
};

// Reads the current process's memory now. kIo when /proc/self/status cannot be
// read, kParse when it lacks VmRSS.
Result<MemorySample> read_process_memory(Clock* clock = Clock::real());

// Parses the text of a /proc/<pid>/status file into rss/peak (bytes).
// kParse when VmRSS is missing or malformed.
Result<MemorySample> parse_proc_status(std::string_view status_text);

struct MemoryTrend {
  std::size_t samples = 0;
  std::chrono::nanoseconds span{0};
  // Least-squares slopes; 0 with fewer than two samples.
  double rss_bytes_per_minute = 0.0;
  double heap_bytes_per_minute = 0.0;
  bool leak_suspected = false;
};

struct MemoryMonitorOptions {
  Clock* clock = Clock::real();
  std::chrono::nanoseconds sample_interval = std::chrono::seconds(10);
  // Ring capacity (360 × 10 s: one hour).
  std::size_t max_samples = 360;
  // Growth of the heap (RSS when the heap reads 0) that counts as a leak.
  double leak_min_growth_bytes_per_minute = 1024.0 * 1024.0;
  std::chrono::nanoseconds leak_min_span = std::chrono::minutes(10);
};

class MemoryMonitor {
 public:
  explicit MemoryMonitor(MemoryMonitorOptions options = {});
  ~MemoryMonitor();  // stops the thread
  MemoryMonitor(const MemoryMonitor&) = delete;
  MemoryMonitor& operator=(const MemoryMonitor&) = delete;

  // Samples the process if sample_interval has passed since the last sample
  // (or none was taken). Returns whether it sampled; a failed read is an error.
  Result<bool> poll();
  // Adds a sample (tests, or samples from elsewhere); evicts the oldest when full.
  void add_sample(const MemorySample& sample);

  // A background thread that calls poll() about every sample_interval of real
  // time. Idempotent.
  void start();
  void stop();

  std::vector<MemorySample> samples() const;
  std::optional<MemorySample> latest() const;
  MemoryTrend trend() const;

  const MemoryMonitorOptions& options() const { return options_; }

 private:
  MemoryMonitorOptions options_;
  mutable std::mutex mu_;
  std::deque<MemorySample> ring_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_MEMORY_H_

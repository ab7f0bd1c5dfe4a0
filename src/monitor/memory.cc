#include "awsperf/monitor/memory.h"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace awsperf::monitor {

namespace {

// Value in bytes of a "Key:   1234 kB" line of /proc/<pid>/status.
std::optional<std::uint64_t> status_field(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    std::string_view rest = line.substr(key.size() + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || ptr == rest.data()) return std::nullopt;
    std::string_view unit(ptr, static_cast<std::size_t>(rest.data() + rest.size() - ptr));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (unit == "kB") {
      if (value > UINT64_MAX / 1024) return std::nullopt;
      return value * 1024;
    }
    if (unit.empty()) return value;
    return std::nullopt;
  }
  return std::nullopt;
}

// Least-squares slope of y over x.
double slope(const std::vector<double>& x, const std::vector<double>& y, std::size_t from,
             std::size_t to) {
  const std::size_t n = to - from;
  if (n < 2) return 0.0;
  double mx = 0, my = 0;
  for (std::size_t i = from; i < to; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double cov = 0, var = 0;
  for (std::size_t i = from; i < to; ++i) {
    cov += (x[i] - mx) * (y[i] - my);
    var += (x[i] - mx) * (x[i] - mx);
  }
  return var > 0 ? cov / var : 0.0;
}

}  // namespace

Result<MemorySample> parse_proc_status(std::string_view text) {
  MemorySample s;
  auto rss = status_field(text, "VmRSS");
  if (!rss) return make_error(ErrorCode::kParse, "proc status: no valid VmRSS line");
  s.rss_bytes = *rss;
  s.peak_rss_bytes = status_field(text, "VmHWM").value_or(*rss);
  return s;
}

Result<MemorySample> read_process_memory(Clock* clock) {
  std::ifstream in("/proc/self/status");
  if (!in) return make_error(ErrorCode::kIo, "cannot open /proc/self/status");
  std::stringstream buf;
  buf << in.rdbuf();
  auto sample = parse_proc_status(buf.str());
  if (!sample) return sample;
  const struct mallinfo2 mi = mallinfo2();
  sample->heap_in_use_bytes = mi.uordblks + mi.hblkhd;
  sample->at = clock->now();
  return sample;
}

MemoryMonitor::MemoryMonitor(MemoryMonitorOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::real();
  options_.max_samples = std::max<std::size_t>(options_.max_samples, 2);
  if (options_.sample_interval <= std::chrono::nanoseconds(0)) {
    options_.sample_interval = std::chrono::seconds(10);
  }
}

MemoryMonitor::~MemoryMonitor() { stop(); }

Result<bool> MemoryMonitor::poll() {
  const auto now = options_.clock->now();
  {
    std::lock_guard lock(mu_);
    if (!ring_.empty() && now - ring_.back().at < options_.sample_interval) return false;
  }
  auto sample = read_process_memory(options_.clock);
  if (!sample) return std::unexpected(sample.error());
  add_sample(*sample);
  return true;
}

void MemoryMonitor::add_sample(const MemorySample& sample) {
  std::lock_guard lock(mu_);
  ring_.push_back(sample);
  while (ring_.size() > options_.max_samples) ring_.pop_front();
}

void MemoryMonitor::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)poll();
      lock.lock();
      cv_.wait_for(lock, options_.sample_interval, [this] { return stopping_; });
    }
  });
}

void MemoryMonitor::stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
}

std::vector<MemorySample> MemoryMonitor::samples() const {
  std::lock_guard lock(mu_);
  return {ring_.begin(), ring_.end()};
}

std::optional<MemorySample> MemoryMonitor::latest() const {
  std::lock_guard lock(mu_);
  if (ring_.empty()) return std::nullopt;
  return ring_.back();
}

MemoryTrend MemoryMonitor::trend() const {
  const auto s = samples();
  MemoryTrend t;
  t.samples = s.size();
  if (s.size() < 2) return t;
  t.span = s.back().at - s.front().at;
  std::vector<double> x, rss, heap;
  bool heap_known = false;
  for (const auto& m : s) {
    x.push_back(std::chrono::duration<double, std::ratio<60>>(m.at - s.front().at).count());
    rss.push_back(static_cast<double>(m.rss_bytes));
    heap.push_back(static_cast<double>(m.heap_in_use_bytes));
    heap_known = heap_known || m.heap_in_use_bytes != 0;
  }
  t.rss_bytes_per_minute = slope(x, rss, 0, s.size());
  t.heap_bytes_per_minute = slope(x, heap, 0, s.size());
  const auto& y = heap_known ? heap : rss;
  const double growth = heap_known ? t.heap_bytes_per_minute : t.rss_bytes_per_minute;
  if (t.span >= options_.leak_min_span && growth >= options_.leak_min_growth_bytes_per_minute &&
      s.size() >= 8) {
    // Persistence: every quarter of the ring grows, not just one step.
    bool every_quarter = true;
    for (std::size_t q = 0; q < 4; ++q) {
      const std::size_t from = s.size() * q / 4;
      const std::size_t to = s.size() * (q + 1) / 4;
      if (!(slope(x, y, from, to) > 0.0)) every_quarter = false;
    }
    t.leak_suspected = every_quarter;
  }
  return t;
}

}  // namespace awsperf::monitor

#include "awsperf/cache/epoch.h"

#include <limits>

namespace awsperf::cache::detail {

std::atomic<std::uint64_t> g_epoch{1};

namespace {

std::atomic<EpochRecord*> g_records{nullptr};
std::atomic<std::uint32_t> g_next_stripe{0};

// Gives the record back when its thread exits (the record itself is never
// freed: a reclaimer may be scanning it).
struct RecordReleaser {
  EpochRecord* record = nullptr;
  ~RecordReleaser() {
    if (record != nullptr) {
      record->epoch.store(0);
      record->depth = 0;
      record->in_use.store(false, std::memory_order_release);
      t_epoch_record = nullptr;
    }
  }
};
thread_local RecordReleaser t_releaser;

}  // namespace

EpochRecord* epoch_register() {
  EpochRecord* r = nullptr;
  for (EpochRecord* p = g_records.load(); p != nullptr; p = p->next) {
    bool expected = false;
    if (!p->in_use.load(std::memory_order_relaxed) &&
        p->in_use.compare_exchange_strong(expected, true)) {
      r = p;
      break;
    }
  }
  if (r == nullptr) {
    r = new EpochRecord;
    r->in_use.store(true);
    EpochRecord* head = g_records.load();
    do {
      r->next = head;
    } while (!g_records.compare_exchange_weak(head, r));
  }
  // Consecutive threads get consecutive stripes, so two threads rarely share
  // a read buffer.
  r->stripe = g_next_stripe.fetch_add(1, std::memory_order_relaxed);
  r->depth = 0;
  t_epoch_record = r;
  t_releaser.record = r;
  return r;
}

std::uint64_t epoch_min_active() {
  std::uint64_t m = std::numeric_limits<std::uint64_t>::max();
  for (EpochRecord* p = g_records.load(); p != nullptr; p = p->next) {
    std::uint64_t e = p->epoch.load();
    if (e != 0 && e < m) m = e;
  }
  return m;
}

}  // namespace awsperf::cache::detail

// YCSB's core workloads A–F as operation mixes, and a generator of the
// operation stream (what to do, and to which key).
//
//   A: 50% read, 50% update            (update heavy)
//   B: 95% read, 5% update             (read mostly)
//   C: 100% read                       (read only)
//   D: 95% read, 5% insert, reads skewed to the latest records
//   E: 95% short range scan, 5% insert (scans of 1..100 records)
//   F: 50% read, 50% read-modify-write
//
// Thread-safety: WorkloadMix is a value type. An OperationGenerator is used
// by one thread (or one strand) at a time; several generators may share one
// insert counter.
#ifndef AWSPERF_WORKLOAD_YCSB_H_
#define AWSPERF_WORKLOAD_YCSB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/workload/key_generators.h"

namespace awsperf::workload {

enum class OpKind : std::uint8_t { kRead, kUpdate, kInsert, kScan, kReadModifyWrite };

std::string_view op_kind_name(OpKind kind);

struct WorkloadMix {
  char name = 'B';
  // Proportions; they sum to 1.
  double read = 0, update = 0, insert = 0, scan = 0, read_modify_write = 0;
  // The key distribution YCSB uses for this workload (D: latest).
  Distribution distribution = Distribution::kScrambledZipfian;
  // Scan lengths are uniform in [1, max_scan_length].
  int max_scan_length = 100;
};

// 'A'..'F' (case-insensitive); kInvalidArgument for anything else.
Result<WorkloadMix> ycsb_workload(std::string_view name);
// "A,B,C" -> the mixes, in order; duplicates and unknown letters are errors.
Result<std::vector<WorkloadMix>> parse_workload_list(std::string_view list);

struct Operation {
  OpKind kind = OpKind::kRead;
  std::uint64_t key = 0;  // record number
  int scan_length = 0;    // kScan only
};

class OperationGenerator {
 public:
  // `record_count` records exist (0 .. record_count-1); inserts take new
  // record numbers from `insert_counter`, which starts at record_count and is
  // shared by every generator of a run. `distribution` overrides the mix's.
  static Result<std::unique_ptr<OperationGenerator>> create(
      const WorkloadMix& mix, std::uint64_t record_count, std::uint64_t seed,
      std::atomic<std::uint64_t>* insert_counter,
      std::optional<Distribution> distribution = std::nullopt);

  Operation next();

 private:
  OperationGenerator() = default;
  WorkloadMix mix_;
  std::mt19937_64 rng_;
  std::unique_ptr<KeyChooser> chooser_;
  std::atomic<std::uint64_t>* insert_counter_ = nullptr;
};

}  // namespace awsperf::workload

#endif  // AWSPERF_WORKLOAD_YCSB_H_

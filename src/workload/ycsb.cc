#include "awsperf/workload/ycsb.h"

#include <cctype>
#include <set>

namespace awsperf::workload {

std::string_view op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kRead:
      return "read";
    case OpKind::kUpdate:
      return "update";
    case OpKind::kInsert:
      return "insert";
    case OpKind::kScan:
      return "scan";
    case OpKind::kReadModifyWrite:
      return "read_modify_write";
  }
  return "unknown";
}

Result<WorkloadMix> ycsb_workload(std::string_view name) {
  if (name.size() != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown workload '" + std::string(name) + "' (expected A to F)");
  }
  switch (std::toupper(static_cast<unsigned char>(name[0]))) {
    case 'A':
      return WorkloadMix{.name = 'A', .read = 0.5, .update = 0.5};
    case 'B':
      return WorkloadMix{.name = 'B', .read = 0.95, .update = 0.05};
    case 'C':
      return WorkloadMix{.name = 'C', .read = 1.0};
    case 'D':
      return WorkloadMix{
          .name = 'D', .read = 0.95, .insert = 0.05, .distribution = Distribution::kLatest};
    case 'E':
      return WorkloadMix{.name = 'E', .insert = 0.05, .scan = 0.95};
    case 'F':
      return WorkloadMix{.name = 'F', .read = 0.5, .read_modify_write = 0.5};
    default:
      break;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown workload '" + std::string(name) + "' (expected A to F)");
}

Result<std::vector<WorkloadMix>> parse_workload_list(std::string_view list) {
  std::vector<WorkloadMix> out;
  std::set<char> seen;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view part = list.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    auto mix = ycsb_workload(part);
    if (!mix) return make_error(mix.error());
    if (!seen.insert(mix->name).second) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("workload ") + mix->name + " is listed twice");
    }
    out.push_back(*mix);
    start = end + 1;
  }
  if (out.empty()) return make_error(ErrorCode::kInvalidArgument, "no workload given");
  return out;
}

Result<std::unique_ptr<OperationGenerator>> OperationGenerator::create(
    const WorkloadMix& mix, std::uint64_t record_count, std::uint64_t seed,
    std::atomic<std::uint64_t>* insert_counter, std::optional<Distribution> distribution) {
  if (insert_counter == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "the insert counter is required");
  }
  double total = mix.read + mix.update + mix.insert + mix.scan + mix.read_modify_write;
  if (total < 0.999 || total > 1.001) {
    return make_error(ErrorCode::kInvalidArgument, "workload proportions must sum to 1");
  }
  std::unique_ptr<OperationGenerator> g(new OperationGenerator());
  g->mix_ = mix;
  g->rng_.seed(seed);
  g->insert_counter_ = insert_counter;
  auto chooser = KeyChooser::create(distribution.value_or(mix.distribution), record_count,
                                    seed ^ 0x9E3779B97F4A7C15ULL, insert_counter);
  if (!chooser) return make_error(chooser.error());
  g->chooser_ = std::move(*chooser);
  return g;
}

Operation OperationGenerator::next() {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  Operation op;
  if ((u -= mix_.read) < 0) {
    op.kind = OpKind::kRead;
  } else if ((u -= mix_.update) < 0) {
    op.kind = OpKind::kUpdate;
  } else if ((u -= mix_.insert) < 0) {
    op.kind = OpKind::kInsert;
    op.key = insert_counter_->fetch_add(1, std::memory_order_acq_rel);
    return op;
  } else if ((u -= mix_.scan) < 0) {
    op.kind = OpKind::kScan;
    op.scan_length = std::uniform_int_distribution<int>(1, mix_.max_scan_length)(rng_);
  } else {
    op.kind = OpKind::kReadModifyWrite;
  }
  op.key = chooser_->next();
  return op;
}

}  // namespace awsperf::workload

#include "awsperf/workload/ycsb.h"

#include <gtest/gtest.h>

#include <map>

namespace awsperf::workload {
namespace {

TEST(YcsbTest, WorkloadMixesMatchTheYcsbDefinitions) {
  struct Want {
    char name;
    double read, update, insert, scan, rmw;
  };
  for (Want w : {Want{'A', 0.5, 0.5, 0, 0, 0}, Want{'B', 0.95, 0.05, 0, 0, 0},
                 Want{'C', 1, 0, 0, 0, 0}, Want{'D', 0.95, 0, 0.05, 0, 0},
                 Want{'E', 0, 0, 0.05, 0.95, 0}, Want{'F', 0.5, 0, 0, 0, 0.5}}) {
    auto mix = ycsb_workload(std::string(1, w.name));
    ASSERT_TRUE(mix.has_value()) << w.name;
    EXPECT_DOUBLE_EQ(mix->read, w.read) << w.name;
    EXPECT_DOUBLE_EQ(mix->update, w.update) << w.name;
    EXPECT_DOUBLE_EQ(mix->insert, w.insert) << w.name;
    EXPECT_DOUBLE_EQ(mix->scan, w.scan) << w.name;
    EXPECT_DOUBLE_EQ(mix->read_modify_write, w.rmw) << w.name;
  }
  EXPECT_EQ(ycsb_workload("d")->distribution, Distribution::kLatest);
  EXPECT_EQ(ycsb_workload("b")->distribution, Distribution::kScrambledZipfian);
  EXPECT_FALSE(ycsb_workload("G").has_value());
  EXPECT_FALSE(ycsb_workload("AB").has_value());
}

TEST(YcsbTest, ParseWorkloadList) {
  auto list = parse_workload_list("A, b,C");
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[1].name, 'B');
  EXPECT_FALSE(parse_workload_list("A,A").has_value());
  EXPECT_FALSE(parse_workload_list("A,,B").has_value());
  EXPECT_FALSE(parse_workload_list("").has_value());
}

TEST(YcsbTest, GeneratorFollowsTheMix) {
  std::atomic<std::uint64_t> inserted{1000};
  auto gen = OperationGenerator::create(*ycsb_workload("E"), 1000, 5, &inserted);
  ASSERT_TRUE(gen.has_value());
  std::map<OpKind, int> count;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) {
    Operation op = (*gen)->next();
    ++count[op.kind];
    if (op.kind == OpKind::kScan) {
      ASSERT_GE(op.scan_length, 1);
      ASSERT_LE(op.scan_length, 100);
      ASSERT_LT(op.key, 1000u);
    }
  }
  EXPECT_NEAR(count[OpKind::kScan] / double(n), 0.95, 0.005);
  EXPECT_NEAR(count[OpKind::kInsert] / double(n), 0.05, 0.005);
  // Inserts take fresh, consecutive record numbers.
  EXPECT_EQ(inserted.load(), 1000u + count[OpKind::kInsert]);
}

}  // namespace
}  // namespace awsperf::workload

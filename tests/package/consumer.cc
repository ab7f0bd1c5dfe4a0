// Uses the installed headers and libraries; prints a line the test checks.
#include <awsperf/core/clock.h>
#include <awsperf/core/result.h>

#include <chrono>
#include <cstdio>

int main() {
  awsperf::ManualClock clock;
  clock.advance(std::chrono::seconds(2));
  awsperf::Result<int> r = awsperf::make_error(awsperf::ErrorCode::kTimeout, "late");
  std::printf("consumer ok: %s\n", r.error().to_string().c_str());
  return r.has_value() ? 1 : 0;
}

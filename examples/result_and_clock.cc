// The smallest awsperf program: the error model and the injectable clock.
#include <awsperf/core/clock.h>
#include <awsperf/core/result.h>

#include <chrono>
#include <cstdio>

awsperf::Result<double> safe_ratio(double a, double b) {
  if (b == 0) return awsperf::make_error(awsperf::ErrorCode::kInvalidArgument, "division by zero");
  return a / b;
}

int main() {
  for (double b : {4.0, 0.0}) {
    auto r = safe_ratio(1.0, b);
    if (r) {
      std::printf("1/%g = %g\n", b, *r);
    } else {
      std::printf("1/%g failed: %s\n", b, r.error().to_string().c_str());
    }
  }
  awsperf::ManualClock clock;
  auto start = clock.now();
  clock.advance(std::chrono::milliseconds(1500));
  std::printf(
      "manual clock advanced %lld ms\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start).count()));
  return 0;
}

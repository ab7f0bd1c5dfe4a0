#include "awsperf/core/clock.h"

namespace awsperf {

Clock* Clock::real() {
  // Leaked on purpose: other statics may read the clock during shutdown.
  static SystemClock* clock = new SystemClock();
  return clock;
}

}  // namespace awsperf

// The in-process cache in front of a slow lookup: get_or_load with
// single-flight, TTL, negative caching and statistics.
#include <cstdio>
#include <optional>
#include <string>

#include "awsperf/cache/cache.h"

int main() {
  using namespace awsperf;
  using namespace awsperf::cache;

  // A ManualClock makes the expiry visible without waiting.
  ManualClock clock;
  Cache<std::string, std::string> users(CacheOptions{.max_entries = 10'000,
                                                     .ttl = std::chrono::minutes(5),
                                                     .negative_ttl = std::chrono::seconds(30),
                                                     .clock = &clock});

  int origin_calls = 0;
  auto load_user = [&](const std::string& id) -> Result<std::optional<std::string>> {
    ++origin_calls;  // stands for a DynamoDB GetItem
    if (id == "42") return std::optional<std::string>("Ada Lovelace");
    return std::optional<std::string>();  // no such user: cached as absent
  };

  for (int i = 0; i < 3; ++i) {
    auto ada = users.get_or_load("42", load_user);
    auto ghost = users.get_or_load("7", load_user);
    std::printf("42 -> %s, 7 -> %s\n", ada && *ada ? (*ada)->c_str() : "?",
                ghost && !*ghost ? "(absent)" : "?");
  }
  clock.advance(std::chrono::minutes(6));  // past the TTL: loaded again
  (void)users.get_or_load("42", load_user);

  auto s = users.stats();
  std::printf("origin calls %d, hits %llu, misses %llu, hit rate %.2f\n", origin_calls,
              static_cast<unsigned long long>(s.hits), static_cast<unsigned long long>(s.misses),
              s.hit_rate());
  return origin_calls == 3 ? 0 : 1;
}

#include <iostream>

#include "commands.h"

namespace awsperf::cli {

// Not implemented yet (issue #3); says so clearly and exits non-zero.
void add_cache_sim_command(CLI::App& app) {
  auto* sub = app.add_subcommand("cache-sim",
                                 "replay a cache trace through the real Cache and report hit "
                                 "ratios per policy and size (not implemented yet)");
  sub->allow_extras();
  sub->callback([] {
    std::cerr << "awsperf cache-sim: not implemented yet in this version (issue #3)\n";
    throw CLI::RuntimeError(2);
  });
}

}  // namespace awsperf::cli

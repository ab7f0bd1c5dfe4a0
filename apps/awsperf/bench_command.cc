#include <iostream>

#include "commands.h"

namespace awsperf::cli {

// Not implemented yet (issue #7); says so clearly and exits non-zero.
void add_bench_command(CLI::App& app) {
  auto* sub = app.add_subcommand("bench",
                                 "load benchmark against a DynamoDB-compatible server: baseline vs "
                                 "pooled vs optimized (not implemented yet)");
  sub->allow_extras();
  sub->callback([] {
    std::cerr << "awsperf bench: not implemented yet in this version (issue #7)\n";
    throw CLI::RuntimeError(2);
  });
}

}  // namespace awsperf::cli

#include <iostream>

#include "commands.h"

namespace awsperf::cli {

// Not implemented yet (issue #6); says so clearly and exits non-zero.
void add_analyze_command(CLI::App& app) {
  auto* sub = app.add_subcommand("analyze",
                                 "analyze DynamoDB requests: capacity cost, findings and index "
                                 "recommendations (not implemented yet)");
  sub->allow_extras();
  sub->callback([] {
    std::cerr << "awsperf analyze: not implemented yet in this version (issue #6)\n";
    throw CLI::RuntimeError(2);
  });
}

}  // namespace awsperf::cli

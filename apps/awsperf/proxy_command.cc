#include <iostream>

#include "commands.h"

namespace awsperf::cli {

// Not implemented yet (a later release); says so clearly and exits non-zero.
void add_proxy_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "proxy",
      "accelerator proxy that gives any DynamoDB SDK the awsperf cache (not implemented yet)");
  sub->allow_extras();
  sub->callback([] {
    std::cerr << "awsperf proxy: not implemented yet in this version (a later release)\n";
    throw CLI::RuntimeError(2);
  });
}

}  // namespace awsperf::cli

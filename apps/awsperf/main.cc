// awsperf: the command-line program. Argument parsing only; see commands.h.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "awsperf: a performance layer for DynamoDB and S3 clients (connection pooling, "
      "caching, query optimization, monitoring) and the tools that measure it."};
  app.set_version_flag("--version", "awsperf 0.1.0");
  app.require_subcommand(1);
  awsperf::cli::add_bench_command(app);
  awsperf::cli::add_cache_sim_command(app);
  awsperf::cli::add_analyze_command(app);
  awsperf::cli::add_proxy_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

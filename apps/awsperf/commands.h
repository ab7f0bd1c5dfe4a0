// The awsperf subcommands. Each lives in its own <name>_command.cc and only
// parses arguments and calls the library; the work is in src/.
#ifndef AWSPERF_APPS_AWSPERF_COMMANDS_H_
#define AWSPERF_APPS_AWSPERF_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace awsperf::cli {

// Each adds its subcommand to `app`. A subcommand reports failure by throwing
// CLI::RuntimeError(exit_code) after printing a clear message to stderr.
void add_bench_command(CLI::App& app);
void add_cache_sim_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_proxy_command(CLI::App& app);

}  // namespace awsperf::cli

#endif  // AWSPERF_APPS_AWSPERF_COMMANDS_H_

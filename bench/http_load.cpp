// eventline-http-load: replays NDJSON request bodies against POST /events and prints one
// JSON object of figures. It shares the machine with the server and PostgreSQL, so all
// the work it can do up front (reading, counting, compressing, formatting) is done
// before the clock starts, and the run itself is one thread of async I/O.

#include "load_run.hpp"
#include "request_set.hpp"
#include "target_url.hpp"

#include <CLI/CLI.hpp>
#include <boost/system/system_error.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

namespace eventline::bench {
namespace {

struct Options {
    std::string url;
    std::string file;
    std::size_t connections = 8;
    double duration_s = 0.0;
    double timeout_s = 60.0;
    bool gzip = false;
};

void add_options(CLI::App& app, Options& options) {
    app.add_option("--url", options.url, "http://127.0.0.1:PORT/events (loopback only)")
        ->required();
    app.add_option("--file", options.file, "NDJSON file, one request body (JSON array) a line")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--connections", options.connections, "keep-alive connections")
        ->check(CLI::Range(1, 10000));
    app.add_option("--duration", options.duration_s,
                   "seconds to cycle through the file; 0 sends every line exactly once")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--timeout", options.timeout_s, "seconds one request may take")
        ->check(CLI::PositiveNumber);
    app.add_flag("--gzip", options.gzip, "send the bodies gzip-compressed (compressed up front)");
}

int run(const Options& options) {
    const TargetUrl url = parse_target_url(options.url);
    const auto prepare_start = std::chrono::steady_clock::now();
    const RequestSet requests(options.file, url, options.gzip);
    const std::chrono::duration<double> prepared = std::chrono::steady_clock::now() - prepare_start;
    fmt::print(stderr, "prepared {} requests, {} events in {:.2f} s{}\n",
               requests.requests().size(), requests.total_events(), prepared.count(),
               requests.unreadable_lines() == 0
                   ? ""
                   : fmt::format(" ({} lines are no JSON batch: sent, counted as 0 events)",
                                 requests.unreadable_lines()));

    LoadOptions load_options;
    load_options.connections = options.connections;
    load_options.duration = std::chrono::duration<double>(options.duration_s);
    load_options.timeout = std::chrono::duration<double>(options.timeout_s);
    LoadRun load(url, requests, load_options);
    try {
        load.connect_all();
    } catch (const boost::system::system_error& error) {
        fmt::print(stderr, "cannot connect to {}: {}\n", options.url, error.code().message());
        return 1;
    }
    load.run();
    fmt::print("{}\n", load.stats().to_json(load.elapsed_s(), load.cpu_s(), load.file_passes()));
    const RunStats& stats = load.stats();
    if (stats.reconnect_failures() > 0) {
        fmt::print(stderr, "{} connection(s) could not reconnect: the run stopped short\n",
                   stats.reconnect_failures());
        return 1;
    }
    if (stats.responses() == 0) {
        fmt::print(stderr, "no response at all ({} transport errors)\n", stats.transport_errors());
        return 1;
    }
    return 0;
}

}  // namespace
}  // namespace eventline::bench

int main(int argc, char** argv) {
    CLI::App app{"Load generator for eventline's POST /events"};
    eventline::bench::Options options;
    eventline::bench::add_options(app, options);
    CLI11_PARSE(app, argc, argv);
    try {
        return eventline::bench::run(options);
    } catch (const std::exception& error) {
        fmt::print(stderr, "eventline-http-load: {}\n", error.what());
        return 1;
    }
}

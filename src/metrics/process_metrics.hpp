#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace eventline::metrics {

/// What the kernel knows of this process, read at each scrape.
struct ProcessSample {
    double cpu_seconds = 0;  // user + system
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double open_fds = 0;
    double max_fds = 0;             // the soft RLIMIT_NOFILE
    double start_time_seconds = 0;  // since the Unix epoch
};

/// Reads /proc/self/stat, /proc/self/fd and /proc/stat. Throws std::runtime_error
/// when /proc cannot be read or parsed (not Linux, or /proc not mounted).
[[nodiscard]] ProcessSample read_process_sample();

/// Parses the text of /proc/self/stat; `ticks_per_second` and `page_bytes` as sysconf
/// reports them, `boot_time_seconds` the btime line of /proc/stat. Split out so that a
/// test can feed it a line whose command name holds spaces and parentheses.
[[nodiscard]] ProcessSample parse_proc_stat(const std::string& stat, double ticks_per_second,
                                            double page_bytes, double boot_time_seconds);

/// The standard process_* metrics that Prometheus client libraries export and that
/// dashboards expect: process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds and
/// process_start_time_seconds. Nothing is kept between scrapes: each Collect() reads
/// /proc afresh, so the figures are as current as the scrape. Where /proc cannot be
/// read, it reports nothing rather than zeros that would look real.
class ProcessMetrics : public prometheus::Collectable {
  public:
    [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace eventline::metrics

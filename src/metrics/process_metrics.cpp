#include "metrics/process_metrics.hpp"

#include <dirent.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <unistd.h>

namespace eventline::metrics {
namespace {

std::string read_whole(const char* path) {
    std::ifstream file(path);
    if (!file) {
        throw std::runtime_error(std::string("cannot read ") + path);
    }
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

double boot_time_seconds() {
    std::istringstream lines(read_whole("/proc/stat"));
    std::string key;
    while (lines >> key) {
        if (key == "btime") {
            double btime = 0;
            if (lines >> btime) {
                return btime;
            }
            break;
        }
        lines.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    throw std::runtime_error("no btime line in /proc/stat");
}

double count_open_fds() {
    DIR* directory = opendir("/proc/self/fd");
    if (directory == nullptr) {
        throw std::runtime_error("cannot list /proc/self/fd");
    }
    double count = 0;
    while (const dirent* entry = readdir(directory)) {
        if (entry->d_name[0] != '.') {
            ++count;
        }
    }
    closedir(directory);
    // The directory stream itself held a descriptor while it was counted.
    return count - 1;
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    return prometheus::MetricFamily{name, help, type, {metric}};
}

}  // namespace

ProcessSample parse_proc_stat(const std::string& stat, double ticks_per_second, double page_bytes,
                              double boot_time_seconds) {
    // "pid (comm) state ppid ...": comm may hold anything, spaces and ')' included, so
    // the fields are counted from the last ')'.
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) {
        throw std::runtime_error("unexpected /proc/self/stat: no ')'");
    }
    std::istringstream fields(stat.substr(close + 1));
    // After comm, field 3 (state) comes first; the ones read here are 14 utime,
    // 15 stime, 22 starttime, 23 vsize and 24 rss (proc(5)).
    std::string field;
    double utime = 0, stime = 0, starttime = 0, vsize = 0, rss = 0;
    for (int number = 3; number <= 24 && fields >> field; ++number) {
        switch (number) {
            case 14:
                utime = std::stod(field);
                break;
            case 15:
                stime = std::stod(field);
                break;
            case 22:
                starttime = std::stod(field);
                break;
            case 23:
                vsize = std::stod(field);
                break;
            case 24:
                rss = std::stod(field);
                break;
            default:
                break;
        }
        if (number == 24) {
            ProcessSample sample;
            sample.cpu_seconds = (utime + stime) / ticks_per_second;
            sample.start_time_seconds = boot_time_seconds + starttime / ticks_per_second;
            sample.virtual_bytes = vsize;
            sample.resident_bytes = rss * page_bytes;
            return sample;
        }
    }
    throw std::runtime_error("unexpected /proc/self/stat: too few fields");
}

ProcessSample read_process_sample() {
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
    ProcessSample sample =
        parse_proc_stat(read_whole("/proc/self/stat"), ticks, page, boot_time_seconds());
    sample.open_fds = count_open_fds();
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        sample.max_fds = static_cast<double>(limit.rlim_cur);
    }
    return sample;
}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
    ProcessSample sample;
    try {
        sample = read_process_sample();
    } catch (const std::exception&) {
        return {};
    }
    using prometheus::MetricType;
    return {
        family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
               MetricType::Counter, sample.cpu_seconds),
        family("process_resident_memory_bytes", "Resident memory size in bytes", MetricType::Gauge,
               sample.resident_bytes),
        family("process_virtual_memory_bytes", "Virtual memory size in bytes", MetricType::Gauge,
               sample.virtual_bytes),
        family("process_open_fds", "Number of open file descriptors", MetricType::Gauge,
               sample.open_fds),
        family("process_max_fds", "Maximum number of open file descriptors", MetricType::Gauge,
               sample.max_fds),
        family("process_start_time_seconds", "Start time of the process since the Unix epoch",
               MetricType::Gauge, sample.start_time_seconds),
    };
}

}  // namespace eventline::metrics

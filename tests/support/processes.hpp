#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace eventline::testing {

/// A PostgreSQL cluster of the test's own, started and stopped through
/// scripts/postgres-local.sh, for tests that must take the database away.
class LocalCluster {
public:
    LocalCluster();
    ~LocalCluster();

    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    void start();
    void stop();
    [[nodiscard]] const std::string& url() const { return url_; }

private:
    std::string directory_;
    unsigned short port_;
    std::string url_;
    bool running_ = false;
};

/// The eventline binary run as a child process, so that a test can kill it for real.
class ServerProcess {
public:
    /// Starts `eventline serve` on a free port and waits until it listens.
    ServerProcess(const std::string& database_url, std::vector<std::string> extra_args = {});
    ~ServerProcess();

    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    [[nodiscard]] unsigned short port() const { return port_; }
    [[nodiscard]] pid_t pid() const { return pid_; }

    /// Sends `signal` and waits for the exit; returns the exit status as waitpid
    /// reports it (use WIFEXITED and friends).
    int stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(30));

    /// The server's log so far (its stderr).
    [[nodiscard]] std::string log() const;

private:
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::string log_path_;
};

/// What a finished command printed, and how it ended.
struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs the eventline binary with `args` (each passed as one argument), standard input
/// from `stdin_path` when given, and waits for it.
CommandResult run_eventline(const std::vector<std::string>& args, const std::string& stdin_path = "");

/// A TCP port on 127.0.0.1 that was free a moment ago.
[[nodiscard]] unsigned short free_port();

/// Runs a shell command; throws with its output when it fails. Returns its stdout, and
/// its stderr too unless told otherwise.
std::string run_command(const std::string& command, bool capture_stderr = true);

}  // namespace eventline::testing

#include "support/processes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace eventline::testing {
namespace {

std::string script(const char* name) { return std::string(EVENTLINE_SOURCE_DIR) + "/scripts/" + name; }

std::string make_temp_directory(const char* prefix) {
    std::string pattern = std::string("/tmp/") + prefix + "XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

}  // namespace

unsigned short free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    close(fd);
    return ntohs(address.sin_port);
}

std::string run_command(const std::string& command, bool capture_stderr) {
    std::array<char, 4096> chunk{};
    std::string output;
    FILE* pipe = popen((capture_stderr ? command + " 2>&1" : command).c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("popen failed: " + command);
    }
    while (std::fgets(chunk.data(), chunk.size(), pipe) != nullptr) {
        output += chunk.data();
    }
    const int status = pclose(pipe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("command failed: " + command + "\n" + output);
    }
    return output;
}

namespace {

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

}  // namespace

CommandResult run_eventline(const std::vector<std::string>& args, const std::string& stdin_path) {
    const std::string directory = make_temp_directory("eventline-run-");
    std::string command = shell_quote(EVENTLINE_BINARY);
    for (const std::string& arg : args) {
        command += " " + shell_quote(arg);
    }
    command += " >" + directory + "/out 2>" + directory + "/err";
    command += " <" + (stdin_path.empty() ? std::string("/dev/null") : shell_quote(stdin_path));

    const int status = std::system(command.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read_file(directory + "/out");
    result.err = read_file(directory + "/err");
    const int removed = std::system(("rm -rf " + shell_quote(directory)).c_str());
    (void)removed;  // a leftover temp dir must not fail the test
    return result;
}

LocalCluster::LocalCluster() : directory_(make_temp_directory("eventline-pg-")), port_(free_port()) {}

LocalCluster::~LocalCluster() {
    try {
        stop();
        run_command("rm -rf '" + directory_ + "'");
    } catch (const std::exception&) {
        // Leaving a temp dir behind must not turn a passing test into a crash.
    }
}

void LocalCluster::start() {
    // Only the URL goes to stdout; the script's progress on stderr stays in the test log.
    const std::string output = run_command(
        script("postgres-local.sh") + " start '" + directory_ + "' " + std::to_string(port_) + " test",
        /*capture_stderr=*/false);
    url_ = output.substr(0, output.find('\n'));
    running_ = true;
}

void LocalCluster::stop() {
    if (running_) {
        run_command(script("postgres-local.sh") + " stop '" + directory_ + "'");
        running_ = false;
    }
}

ServerProcess::ServerProcess(const std::string& database_url, std::vector<std::string> extra_args)
    : port_(free_port()) {
    log_path_ = make_temp_directory("eventline-server-") + "/server.log";
    std::vector<std::string> args{EVENTLINE_BINARY, "serve", "--database-url", database_url,
                                  "--listen", "127.0.0.1:" + std::to_string(port_)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());

    pid_ = fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        std::vector<char*> argv;
        for (std::string& arg : args) {
            argv.push_back(arg.data());
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (log().find(R"("msg":"listening")") == std::string::npos) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("eventline serve exited during start-up:\n" + log());
        }
        if (std::chrono::steady_clock::now() > deadline) {
            // A throwing constructor runs no destructor: stop the child here, or it
            // outlives the test.
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            pid_ = -1;
            throw std::runtime_error("eventline serve did not start listening:\n" + log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        stop(SIGKILL);
    }
}

int ServerProcess::stop(int signal, std::chrono::seconds timeout) {
    if (pid_ <= 0) {
        throw std::logic_error("server already stopped");
    }
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            pid_ = -1;
            throw std::runtime_error("server did not exit in time after signal " +
                                     std::to_string(signal));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return status;
}

std::string ServerProcess::log() const {
    std::ifstream file(log_path_);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
}

}  // namespace eventline::testing

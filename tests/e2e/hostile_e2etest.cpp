// Hostile clients over loopback against the real binary in a process of its own: slow
// headers, slow bodies, oversized and too many headers, long URLs, garbage, pipelining,
// half-closed sockets and thousands of idle connections. Throughout, a separate client
// probes /healthz on a keep-alive connection and every probe must be answered within
// 100 ms; at the end the server's resident memory must not have grown past a bound.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/processes.hpp"
#include "support/test_database.hpp"

namespace eventline {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kMaxConnections = 256;
constexpr int kIdleFlood = 2000;
constexpr auto kHeaderTimeout = seconds(2);
constexpr auto kRequestTimeout = seconds(2);
constexpr auto kProbeBound = milliseconds(100);
#if defined(__SANITIZE_ADDRESS__)  // g++
#define EVENTLINE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang
#define EVENTLINE_UNDER_ASAN 1
#endif
#endif
#if defined(EVENTLINE_UNDER_ASAN)
// AddressSanitizer keeps freed memory in quarantine (256 MiB by default) instead of
// reusing it, so resident memory grows with every connection ever closed, up to that.
constexpr long kRssGrowthBoundKiB = (64 + 256) * 1024;
#else
constexpr long kRssGrowthBoundKiB = 64 * 1024;
#endif

/// A blocking TCP connection to 127.0.0.1 that closes itself.
class Socket {
public:
    explicit Socket(unsigned short port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("connect failed: " + std::string(strerror(errno)));
        }
        const int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Socket() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    /// False when the peer has closed (EPIPE, ECONNRESET).
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0) {
                return false;
            }
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    /// Reads what arrives within `timeout`; `closed` tells whether the peer closed.
    std::string read_for(milliseconds timeout, bool& closed) {
        std::string data;
        closed = false;
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            pollfd poll_fd{fd_, POLLIN, 0};
            const auto left =
                std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
            if (poll(&poll_fd, 1, static_cast<int>(std::max<long>(left, 0))) <= 0) {
                break;
            }
            char chunk[16384];
            const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
            if (got <= 0) {
                closed = true;
                break;
            }
            data.append(chunk, static_cast<std::size_t>(got));
        }
        return data;
    }

    /// Waits up to `timeout` for bytes and returns the first that arrive (empty on
    /// timeout); `closed` tells whether the peer closed.
    std::string read_some(milliseconds timeout, bool& closed) {
        closed = false;
        pollfd poll_fd{fd_, POLLIN, 0};
        if (poll(&poll_fd, 1, static_cast<int>(timeout.count())) <= 0) {
            return {};
        }
        char chunk[16384];
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            closed = true;
            return {};
        }
        return std::string(chunk, static_cast<std::size_t>(got));
    }

    /// Whether the peer has closed, without waiting.
    bool peer_closed() {
        pollfd poll_fd{fd_, POLLIN | POLLRDHUP, 0};
        if (poll(&poll_fd, 1, 0) <= 0) {
            return false;
        }
        char chunk[4096];
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }

private:
    int fd_;
};

/// Reads one HTTP response (header and Content-Length body) off `data` as it grows.
bool complete_response(const std::string& data, std::size_t& end) {
    const std::size_t header_end = data.find("\r\n\r\n");
    if (header_end == std::string::npos) {
        return false;
    }
    std::size_t length = 0;
    const std::size_t field = data.find("Content-Length: ");
    if (field != std::string::npos && field < header_end) {
        length = std::stoul(data.substr(field + 16));
    }
    end = header_end + 4 + length;
    return data.size() >= end;
}

/// Probes GET /healthz every 20 ms on one keep-alive connection (a new one if the server
/// closed it, the reconnect counted in that probe's time) and records the worst.
class HealthProber {
public:
    explicit HealthProber(unsigned short port) : port_(port), thread_([this] { run(); }) {}
    ~HealthProber() {
        stopping_ = true;
        thread_.join();
    }

    struct Stats {
        int probes = 0;
        int failures = 0;
        milliseconds worst{0};
    };

    /// What was recorded since the last call.
    Stats take() {
        std::lock_guard lock(mutex_);
        Stats taken = stats_;
        stats_ = Stats{};
        return taken;
    }

private:
    bool probe(std::unique_ptr<Socket>& socket) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                if (!socket) {
                    socket = std::make_unique<Socket>(port_);
                }
                if (socket->send("GET /healthz HTTP/1.1\r\nHost: probe\r\n\r\n")) {
                    std::string data;
                    bool closed = false;
                    std::size_t end = 0;
                    const auto deadline = Clock::now() + seconds(1);
                    while (!complete_response(data, end) && !closed && Clock::now() < deadline) {
                        data += socket->read_some(milliseconds(50), closed);
                    }
                    if (complete_response(data, end) && data.starts_with("HTTP/1.1 200")) {
                        return true;
                    }
                }
            } catch (const std::exception&) {
            }
            socket.reset();  // closed by the server (or failed): one more try, fresh
        }
        return false;
    }

    void run() {
        std::unique_ptr<Socket> socket;
        while (!stopping_) {
            const auto started = Clock::now();
            const bool ok = probe(socket);
            const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
            {
                std::lock_guard lock(mutex_);
                ++stats_.probes;
                stats_.failures += ok ? 0 : 1;
                stats_.worst = std::max(stats_.worst, took);
            }
            std::this_thread::sleep_for(milliseconds(20));
        }
    }

    unsigned short port_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    Stats stats_;
    std::thread thread_;
};

long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

/// The value of a sample in the server's /metrics; -1 when absent.
double metric(unsigned short port, const std::string& sample) {
    testing::HttpClient client(port);
    const std::string body = client.get("/metrics").body;
    const std::size_t at = body.find("\n" + sample + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + sample.size() + 2));
}

void raise_descriptor_limit(rlim_t wanted) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    getrlimit(RLIMIT_NOFILE, &limit);
    ASSERT_GE(limit.rlim_cur, wanted) << "raise the hard descriptor limit (ulimit -Hn)";
}

class Hostile : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        database_ = new testing::TestDatabase();
        server_ = new testing::ServerProcess(
            database_->url(),
            {"--auth", "off", "--threads", "2",
             "--max-connections", std::to_string(kMaxConnections),
             "--header-timeout-seconds", std::to_string(kHeaderTimeout.count()),
             "--request-timeout-seconds", std::to_string(kRequestTimeout.count()),
             "--idle-timeout-seconds", "30", "--max-header-bytes", "8192",
             "--max-header-count", "50", "--max-url-bytes", "2048"});
        // Warm up (first requests, the first database work) before the baseline.
        testing::HttpClient(server_->port()).get("/readyz");
        baseline_rss_kib_ = resident_kib(server_->pid());
        prober_ = new HealthProber(server_->port());
    }

    static void TearDownTestSuite() {
        delete prober_;
        delete server_;
        delete database_;
    }

    void SetUp() override { prober_->take(); }

    // Every test holds the prober to its bound over the test's whole length.
    void TearDown() override {
        std::this_thread::sleep_for(milliseconds(100));  // at least a few probes
        const HealthProber::Stats stats = prober_->take();
        std::printf("  /healthz: %d probes, %d failed, slowest %lld ms\n", stats.probes,
                    stats.failures, static_cast<long long>(stats.worst.count()));
        EXPECT_GT(stats.probes, 0);
        EXPECT_EQ(stats.failures, 0) << "of " << stats.probes << " /healthz probes";
        EXPECT_LT(stats.worst, kProbeBound) << "the slowest of " << stats.probes << " probes";
        EXPECT_EQ(kill(server_->pid(), 0), 0) << "the server is gone";
    }

    static unsigned short port() { return server_->port(); }

    static testing::TestDatabase* database_;
    static testing::ServerProcess* server_;
    static HealthProber* prober_;
    static long baseline_rss_kib_;
};

testing::TestDatabase* Hostile::database_ = nullptr;
testing::ServerProcess* Hostile::server_ = nullptr;
HealthProber* Hostile::prober_ = nullptr;
long Hostile::baseline_rss_kib_ = 0;

/// Drives `sockets` with `step` every 300 ms until each is closed by the server; returns
/// how long each took from the start.
std::vector<milliseconds> trickle_until_closed(std::vector<Socket>& sockets,
                                               const std::string& step, seconds give_up) {
    const auto started = Clock::now();
    std::vector<milliseconds> closed_after(sockets.size(), milliseconds(-1));
    std::size_t open = sockets.size();
    while (open > 0 && Clock::now() - started < give_up) {
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            if (closed_after[i].count() >= 0) {
                continue;
            }
            if (sockets[i].peer_closed() || !sockets[i].send(step)) {
                closed_after[i] =
                    std::chrono::duration_cast<milliseconds>(Clock::now() - started);
                --open;
            }
        }
        std::this_thread::sleep_for(milliseconds(300));
    }
    return closed_after;
}

TEST_F(Hostile, SlowHeadersAreCutOffAtTheHeaderTimeout) {
    std::vector<Socket> sockets;
    for (int i = 0; i < 50; ++i) {
        sockets.emplace_back(port());
        ASSERT_TRUE(sockets.back().send("GET /healthz HTTP/1.1\r\nHost: slow\r\n"));
    }
    const auto closed_after = trickle_until_closed(sockets, "X-Slow: a\r\n", seconds(10));
    for (const milliseconds took : closed_after) {
        ASSERT_GE(took.count(), 0) << "a slow header was never cut off";
        EXPECT_GE(took, kHeaderTimeout - milliseconds(500));
        EXPECT_LE(took, kHeaderTimeout + milliseconds(2500));
    }
    EXPECT_GE(metric(port(), R"(http_connections_closed_total{reason="header_timeout"})"), 50);
}

TEST_F(Hostile, SlowBodiesAreCutOffAtTheRequestTimeout) {
    std::vector<Socket> sockets;
    for (int i = 0; i < 50; ++i) {
        sockets.emplace_back(port());
        ASSERT_TRUE(sockets.back().send(
            "POST /events HTTP/1.1\r\nHost: slow\r\nContent-Length: 100000\r\n\r\n[{"));
    }
    const auto closed_after = trickle_until_closed(sockets, "\"a\":1,", seconds(10));
    for (const milliseconds took : closed_after) {
        ASSERT_GE(took.count(), 0) << "a slow body was never cut off";
        EXPECT_LE(took, kRequestTimeout + milliseconds(2500));
    }
    EXPECT_GE(metric(port(), R"(http_connections_closed_total{reason="body_timeout"})"), 50);
}

TEST_F(Hostile, OversizedHeadersTooManyHeadersAndLongUrlsGet4xx) {
    testing::HttpClient client(port());
    const auto status_of = [&](const std::string& request) { return client.raw(request).status; };

    const std::string big(9000, 'a');
    EXPECT_EQ(status_of("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"), 431U);

    std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 60; ++i) {
        many += "X-H" + std::to_string(i) + ": v\r\n";
    }
    EXPECT_EQ(status_of(many + "\r\n"), 431U);

    const testing::HttpResponse long_url =
        client.raw("GET /healthz?" + std::string(3000, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(long_url.status, 414U);
    EXPECT_NE(long_url.body.find("uri_too_long"), std::string::npos) << long_url.body;

    // Just under each limit is fine.
    std::string fifty = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 49; ++i) {
        fifty += "X-H" + std::to_string(i) + ": v\r\n";
    }
    EXPECT_EQ(status_of(fifty + "\r\n"), 200U);
    EXPECT_EQ(status_of("GET /healthz?" + std::string(1900, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n"),
              200U);
}

TEST_F(Hostile, GarbageGets400OrAClosedConnection) {
    std::mt19937 random(42);
    std::string noise(4096, '\0');
    for (char& c : noise) {
        c = static_cast<char>(random() & 0xff);
    }
    const std::vector<std::string> garbage{
        noise,
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
        "GET / HTTP/9.9\r\n\r\n",
        "\r\n\r\n\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "POST /events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        std::string("GET /he\0lthz HTTP/1.1\r\n\r\n", 25),
    };
    for (const std::string& bytes : garbage) {
        Socket socket(port());
        socket.send(bytes);
        bool closed = false;
        const std::string answer = socket.read_for(seconds(3), closed);
        EXPECT_TRUE(closed) << "the connection stayed open after garbage";
        if (!answer.empty()) {
            EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer.substr(0, 200);
        }
    }
}

TEST_F(Hostile, PipelinedRequestsAreAnsweredInOrder) {
    Socket socket(port());
    const std::string event =
        R"([{"event_id":"ffffffff-0000-4000-8000-000000000001",)"
        R"("occurred_at":"2025-01-06T10:00:00Z","user_id":"u","event_type":"e"}])";
    ASSERT_TRUE(socket.send(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(event.size()) +
        "\r\n\r\n" + event +
        "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"));

    std::string data;
    std::vector<std::string> responses;
    bool closed = false;
    const auto deadline = Clock::now() + seconds(5);
    while (responses.size() < 4 && !closed && Clock::now() < deadline) {
        data += socket.read_some(milliseconds(100), closed);
        std::size_t end = 0;
        while (complete_response(data, end)) {
            responses.push_back(data.substr(0, end));
            data.erase(0, end);
        }
    }
    ASSERT_EQ(responses.size(), 4U) << data;
    EXPECT_TRUE(responses[0].starts_with("HTTP/1.1 200")) << responses[0];
    EXPECT_NE(responses[0].find(R"({"status":"ok"})"), std::string::npos);
    EXPECT_TRUE(responses[1].starts_with("HTTP/1.1 200")) << responses[1];
    EXPECT_NE(responses[1].find(R"("accepted":1)"), std::string::npos) << responses[1];
    EXPECT_TRUE(responses[2].starts_with("HTTP/1.1 404")) << responses[2];
    EXPECT_TRUE(responses[3].starts_with("HTTP/1.1 200")) << responses[3];
    EXPECT_NE(responses[3].find(R"({"status":"ready"})"), std::string::npos);
}

TEST_F(Hostile, AHalfClosedSocketStillGetsItsAnswer) {
    const std::string event =
        R"([{"event_id":"ffffffff-0000-4000-8000-000000000002",)"
        R"("occurred_at":"2025-01-06T10:00:00Z","user_id":"u","event_type":"e"}])";
    Socket socket(port());
    ASSERT_TRUE(socket.send("POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(event.size()) + "\r\n\r\n" + event));
    socket.shutdown_write();
    bool closed = false;
    const std::string answer = socket.read_for(seconds(5), closed);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find(R"("accepted":1)"), std::string::npos) << answer;
    EXPECT_TRUE(closed) << "after the answer, the server closes its side too";
    EXPECT_EQ(database_->scalar("SELECT count(*) FROM events WHERE event_id = "
                                "'ffffffff-0000-4000-8000-000000000002'"),
              1);

    Socket get(port());
    ASSERT_TRUE(get.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    get.shutdown_write();
    EXPECT_TRUE(get.read_for(seconds(5), closed).starts_with("HTTP/1.1 200"));
}

TEST_F(Hostile, ThousandsOfIdleConnectionsCannotLockClientsOut) {
    raise_descriptor_limit(kIdleFlood + 512);
    const double evicted_before =
        metric(port(), R"(http_connections_closed_total{reason="limit_evicted"})");
    std::vector<Socket> flood;
    flood.reserve(kIdleFlood);
    for (int i = 0; i < kIdleFlood; ++i) {
        flood.emplace_back(port());
    }
    std::this_thread::sleep_for(milliseconds(500));

    // The server holds at most its limit (and the few on their way out), and a new
    // client still gets in and is answered.
    const double open = metric(port(), "http_connections_open");
    EXPECT_GT(open, 0);
    EXPECT_LE(open, kMaxConnections + 8);
    testing::HttpClient fresh(port());
    EXPECT_EQ(fresh.get("/healthz").status, 200U);

    int closed_by_server = 0;
    for (Socket& socket : flood) {
        closed_by_server += socket.peer_closed() ? 1 : 0;
    }
    EXPECT_GE(closed_by_server, kIdleFlood - kMaxConnections - 8);
    EXPECT_GE(metric(port(), R"(http_connections_closed_total{reason="limit_evicted"})") -
                  evicted_before,
              kIdleFlood - kMaxConnections - 8);
}

TEST_F(Hostile, MemoryStaysBoundedAfterAllOfIt) {
    // One more round at the limit, each connection holding nearly a full header block.
    std::vector<Socket> heavy;
    for (int i = 0; i < kMaxConnections - 8; ++i) {
        heavy.emplace_back(port());
        heavy.back().send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fill: " + std::string(7500, 'f'));
    }
    std::this_thread::sleep_for(milliseconds(500));
    const long during = resident_kib(server_->pid());
    heavy.clear();
    std::this_thread::sleep_for(milliseconds(500));
    const long after = resident_kib(server_->pid());

    ASSERT_GT(baseline_rss_kib_, 0);
    EXPECT_LT(during - baseline_rss_kib_, kRssGrowthBoundKiB)
        << "baseline " << baseline_rss_kib_ << " KiB, with full headers held " << during;
    EXPECT_LT(after - baseline_rss_kib_, kRssGrowthBoundKiB)
        << "baseline " << baseline_rss_kib_ << " KiB, after " << after;
}

}  // namespace
}  // namespace eventline

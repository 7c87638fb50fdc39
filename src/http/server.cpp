#include "http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "logging/log.hpp"

namespace eventline::http {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

// After a failed accept (typically EMFILE, out of descriptors) the next one would fail
// at once too: pause instead of spinning a core and flooding the log.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

}  // namespace

Server::Server(ServerOptions options, const Router& router, metrics::HttpMetrics& metrics,
               metrics::ConnectionMetrics& connection_metrics, AccessControl& access)
    : options_(std::move(options)),
      io_(static_cast<int>(options_.threads)),
      work_(boost::asio::make_work_guard(io_)),
      acceptor_(io_),
      accept_retry_(io_),
      context_{router, metrics, connection_metrics, access, options_.limits} {}

Server::~Server() { stop(); }

unsigned short Server::listen() {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    return acceptor_.local_endpoint().port();
}

void Server::start() {
    accept();
    for (std::size_t i = 0; i < options_.threads; ++i) {
        threads_.emplace_back([this] { io_.run(); });
    }
}

void Server::accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](boost::system::error_code error,
                                                          tcp::socket socket) {
        if (error == asio::error::operation_aborted || !acceptor_.is_open()) {
            return;
        }
        if (error) {
            logging::warn("accept failed", {{"error", error.message()}});
            accept_retry_.expires_after(kAcceptRetryDelay);
            accept_retry_.async_wait([this](boost::system::error_code wait_error) {
                if (!wait_error && acceptor_.is_open()) {
                    accept();
                }
            });
            return;
        }
        on_accepted(std::move(socket));
        accept();
    });
}

void Server::on_accepted(tcp::socket socket) {
    // At the limit, an idle connection makes room: one that never carried a request
    // first (opened and left, or trickling its first header), then a keep-alive one,
    // the longest idle of its kind. So a crowd of idle or slow sockets cannot lock out
    // clients that send requests, nor push out their keep-alive connections. Only when
    // every connection has a request in progress is the new one closed unanswered.
    if (context_.open_connections.load() >= options_.limits.max_connections &&
        !evict_longest_idle()) {
        context_.connection_metrics.refused.Increment();
        boost::system::error_code ignored;
        socket.close(ignored);
        return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(std::move(socket), context_)->start();
}

bool Server::evict_longest_idle() {
    std::weak_ptr<Session> victim;
    {
        // Raw pointers under the mutex: a session erases itself under it, so every one
        // in the map is still whole. No shared_ptr is made here, because releasing the
        // last one would run the destructor, which takes this mutex.
        std::lock_guard lock(context_.sessions_mutex);
        Session* oldest = nullptr;
        for (auto& [key, weak] : context_.sessions) {
            Session* session = key;
            if (!session->idle() || session->evicting()) {
                continue;
            }
            // Never-served sockets go before keep-alive ones, then the longest idle.
            const auto rank = [](const Session* candidate) {
                return std::pair(candidate->served(), candidate->idle_since());
            };
            if (oldest == nullptr || rank(session) < rank(oldest)) {
                oldest = session;
                victim = weak;
            }
        }
        // Claimed under the mutex, so that two accepts never pick the same victim.
        if (oldest == nullptr || !oldest->claim_for_eviction()) {
            return false;
        }
    }
    if (std::shared_ptr<Session> session = victim.lock()) {
        session->evict();
    }
    return true;
}

void Server::drain(std::chrono::milliseconds grace) {
    context_.stopping = true;
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });

    const auto deadline = std::chrono::steady_clock::now() + grace;
    do {
        std::vector<std::shared_ptr<Session>> sessions;
        {
            std::lock_guard lock(context_.sessions_mutex);
            for (auto& [key, weak] : context_.sessions) {
                if (auto session = weak.lock()) {
                    sessions.push_back(std::move(session));
                }
            }
        }
        // Sessions between requests are closed; the others close after answering.
        for (auto& session : sessions) {
            session->close_if_idle();
        }
        if (context_.requests_in_flight.load() == 0 && sessions.empty()) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);

    logging::warn("shutdown grace period over, closing connections with requests in flight",
                  {{"requests_in_flight", context_.requests_in_flight.load()}});
}

void Server::stop() {
    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) {
        thread.join();
    }
    threads_.clear();
}

}  // namespace eventline::http

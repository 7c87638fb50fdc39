#include "http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "logging/log.hpp"

namespace eventline::http {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

Server::Server(ServerOptions options, const Router& router, metrics::HttpMetrics& metrics)
    : options_(std::move(options)),
      io_(static_cast<int>(options_.threads)),
      work_(boost::asio::make_work_guard(io_)),
      acceptor_(io_),
      context_{router, metrics, options_.limits} {}

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
            // Typically EMFILE: log, and keep accepting once descriptors free up.
            logging::warn("accept failed", {{"error", error.message()}});
        } else {
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Session>(std::move(socket), context_)->start();
        }
        accept();
    });
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

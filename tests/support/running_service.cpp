#include "support/running_service.hpp"

#include <sstream>
#include <stdexcept>

#include "logging/log.hpp"

namespace eventline::testing {

RunningService::RunningService(const std::function<void(service::ServiceConfig&)>& configure) {
    // Request lines would drown the test output; warnings and errors still show.
    logging::init(logging::Level::warn);

    service::ServiceConfig config;
    config.database_url = database_.url();
    config.apply_migrations = false;  // TestDatabase already migrated
    config.server.address = "127.0.0.1";
    config.server.port = 0;
    config.server.threads = 2;
    config.shutdown_grace = std::chrono::seconds(5);
    config.auth.enabled = false;
    if (configure) {
        configure(config);
    }
    service_ = std::make_unique<service::Service>(config);
    port_ = service_->start();
}

RunningService::~RunningService() { service_->stop(); }

std::string RunningService::create_key(const auth::KeyRequest& request) {
    storage::PgConnection connection = database_.connect();
    const auth::CreatedKey created = auth::create_key(connection, request);
    refresh_keys();
    return created.key;
}

std::string RunningService::create_key(std::string name, auth::Scope scope, std::string project) {
    auth::KeyRequest request;
    request.name = std::move(name);
    request.scope = scope;
    request.project = std::move(project);
    return create_key(request);
}

void RunningService::refresh_keys() {
    if (auth::KeyCache* cache = service_->key_cache()) {
        if (!cache->refresh()) {
            throw std::runtime_error("the service could not reload its API keys");
        }
    }
}

double RunningService::metric(const std::string& sample) {
    HttpClient client(port_);
    const HttpResponse response = client.get("/metrics");
    std::istringstream lines(response.body);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 &&
            line[sample.size()] == ' ') {
            return std::stod(line.substr(sample.size() + 1));
        }
    }
    return -1;
}

}  // namespace eventline::testing

#pragma once

#include <functional>
#include <memory>
#include <string>

#include "auth/key_store.hpp"
#include "service/service.hpp"
#include "support/http_client.hpp"
#include "support/test_database.hpp"

namespace eventline::testing {

/// The real service, in this process, on a free loopback port, against its own fresh
/// database. Tests talk to it over HTTP like any client.
///
/// Authentication is off unless `configure` turns it on: the tests that are not about
/// keys talk to the default project as before. Those that are create real keys with
/// create_key(), through the same code as `eventline keys create`.
class RunningService {
public:
    /// `configure` may adjust the configuration before the service starts.
    explicit RunningService(const std::function<void(service::ServiceConfig&)>& configure = {});
    ~RunningService();

    [[nodiscard]] unsigned short port() const { return port_; }
    [[nodiscard]] TestDatabase& database() { return database_; }
    [[nodiscard]] service::Service& service() { return *service_; }
    [[nodiscard]] HttpClient client() const { return HttpClient(port_); }

    /// Creates an API key in the service's database and reloads the service's key cache,
    /// so that the key works at once. Returns the key.
    std::string create_key(const auth::KeyRequest& request);
    std::string create_key(std::string name, auth::Scope scope = auth::Scope::all,
                           std::string project = "default");

    /// Reloads the service's key cache now rather than at its next interval.
    void refresh_keys();

    /// The current value of a metric sample in /metrics, e.g.
    /// `events_ingested_total{source="http"}`; -1 when absent.
    [[nodiscard]] double metric(const std::string& sample);

private:
    TestDatabase database_;
    std::unique_ptr<service::Service> service_;
    unsigned short port_ = 0;
};

}  // namespace eventline::testing

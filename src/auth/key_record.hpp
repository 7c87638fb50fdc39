#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/key_format.hpp"
#include "auth/scope.hpp"
#include "event/event.hpp"

namespace eventline::auth {

/// One API key as the service knows it: everything but the key itself.
struct KeyRecord {
    std::int64_t key_id = 0;
    event::ProjectId project_id = event::kDefaultProject;
    std::string name;
    std::string prefix;  // "evl_" and 8 characters: for people, logs and metric labels
    KeyHash hash{};
    Scope scope = Scope::all;
    std::optional<double> events_per_second;    // none: the server's default
    std::optional<double> requests_per_second;  // none: the server's default
    bool revoked = false;
};

}  // namespace eventline::auth

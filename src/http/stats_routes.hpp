#pragma once

#include "http/analytics_handler.hpp"

/// The analytics routes: for each, how its request is read and its answer written.
/// The queries themselves are in analytics/.
namespace eventline::http::stats {

AnalyticsHandler::Prepare daily_active_users();  // GET /stats/dau
AnalyticsHandler::Prepare top_events();          // GET /stats/top-events
AnalyticsHandler::Prepare retention();           // GET /stats/retention
AnalyticsHandler::Prepare event_series();        // GET /stats/events
AnalyticsHandler::Prepare funnel();              // GET /stats/funnel
AnalyticsHandler::Prepare user_timeline();       // GET /users/{user_id}/events

}  // namespace eventline::http::stats

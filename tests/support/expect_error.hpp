#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/http_client.hpp"
#include "support/json.hpp"

namespace eventline::testing {

/// SPEC's one error shape, with the status and code the test expects.
inline void expect_error(const HttpResponse& response, unsigned status, const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    const Json body(response.body);
    EXPECT_EQ(body.text("/error/code"), code) << response.body;
    EXPECT_FALSE(body.text("/error/message").empty());
    EXPECT_EQ(response.header("Content-Type"), "application/json");
}

}  // namespace eventline::testing

// The route table: exact routes, prefix routes, and the table as a whole.

#include <gtest/gtest.h>

#include "http/router.hpp"

namespace eventline::http {
namespace {

namespace bhttp = boost::beast::http;

class NoHandler : public Handler {
public:
    void handle(Request&, Respond) override {}
};

class RouterTest : public ::testing::Test {
protected:
    RouterTest() {
        router_.add(bhttp::verb::get, metrics::Route::docs, "/docs", "GET, HEAD",
                    auth::Permission::open, page_);
        router_.add_prefix(bhttp::verb::get, metrics::Route::docs_asset, "/docs/", "GET, HEAD",
                           auth::Permission::open, asset_);
        router_.add(bhttp::verb::post, metrics::Route::events, "/events", "POST",
                    auth::Permission::ingest, events_);
    }
    Router router_;
    NoHandler page_;
    NoHandler asset_;
    NoHandler events_;
};

TEST_F(RouterTest, ExactPathsWinAndPrefixesTakeWhatLiesUnderThem) {
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/docs").handler, &page_);
    const Resolved asset = router_.resolve(bhttp::verb::get, "/docs/swagger-ui.css");
    EXPECT_EQ(asset.handler, &asset_);
    EXPECT_EQ(asset.route, metrics::Route::docs_asset);
    EXPECT_EQ(router_.resolve(bhttp::verb::head, "/docs/a.js").handler, &asset_);
}

TEST_F(RouterTest, ThePrefixAloneAndLookAlikesAreUnmatched) {
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/docs/").route, metrics::Route::unmatched);
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/docsx").route, metrics::Route::unmatched);
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/doc").route, metrics::Route::unmatched);
}

TEST_F(RouterTest, AnotherMethodOnAPrefixRouteIs405WithAllow) {
    const Resolved resolved = router_.resolve(bhttp::verb::post, "/docs/a.js");
    EXPECT_EQ(resolved.handler, nullptr);
    EXPECT_EQ(resolved.route, metrics::Route::docs_asset);
    EXPECT_EQ(resolved.allow, "GET, HEAD");
}

TEST_F(RouterTest, AResolvedRouteCarriesThePermissionItNeeds) {
    EXPECT_EQ(router_.resolve(bhttp::verb::post, "/events").permission, auth::Permission::ingest);
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/docs").permission, auth::Permission::open);
    // No handler, nothing to protect: a 404 or 405 needs no key.
    EXPECT_EQ(router_.resolve(bhttp::verb::get, "/events").permission, auth::Permission::open);
}

TEST_F(RouterTest, ListsEveryRoute) {
    const std::vector<RouteInfo> routes = router_.routes();
    ASSERT_EQ(routes.size(), 3U);
    EXPECT_EQ(routes[0].route, metrics::Route::docs);
    EXPECT_EQ(routes[1].route, metrics::Route::events);
    EXPECT_EQ(routes[1].method, bhttp::verb::post);
    EXPECT_EQ(routes[2].route, metrics::Route::docs_asset);
}

TEST_F(RouterTest, APrefixMustEndInASlash) {
    EXPECT_THROW(router_.add_prefix(bhttp::verb::get, metrics::Route::docs_asset, "/x",
                                    "GET", auth::Permission::open, asset_),
                 std::logic_error);
}

}  // namespace
}  // namespace eventline::http

// Holds docs/openapi.json, as GET /openapi.json serves it, against the service: every
// registered route is documented and every documented route registered; every
// documented parameter and status is exercised by a request here, and each answer has
// the documented status, media type and body schema.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/beast/http/verb.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "metrics/metrics.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"
#include "support/processes.hpp"
#include "support/running_service.hpp"

namespace eventline {
namespace {

namespace bhttp = boost::beast::http;
using simdjson::dom::element;
using testing::Headers;
using testing::HttpResponse;
using testing::RunningService;

// Documented statuses that no request here can bring about, and why.
const std::map<std::string, std::string> kNotProvoked{
    {"POST /events 500", "needs PostgreSQL to refuse a batch that passed validation"},
};

enum class Condition { normal, no_database, no_docs };

/// Which key a case sends. Only the normal condition's service checks keys.
enum class Caller {
    full,         // scope all, no practical limit
    none,         // no key: 401
    wrong_scope,  // a read key on POST /events, an ingest key elsewhere: 403
    limited,      // a key whose request budget is spent: 429
};

struct Case {
    Condition condition;
    std::string operation;  // "METHOD /openapi/path"
    bhttp::verb method;
    std::string target;
    unsigned status;
    std::string body = {};
    Headers headers = {};
    Caller caller = Caller::full;
};

std::string event(const char* id, const char* type = "click") {
    return std::string(R"({"event_id":")") + id +
           R"(","occurred_at":"2025-01-06T10:00:00Z","user_id":"u1","event_type":")" + type +
           R"(","properties":{"plan":"pro"}})";
}

const std::string kValid = "[" + event("bbbbbbbb-0000-4000-8000-000000000001") + "]";
const std::string kInvalid = R"([{"event_id":"nope","occurred_at":"x","user_id":"u",)"
                             R"("event_type":"click"}])";
const std::string kThree = "[" + event("bbbbbbbb-0000-4000-8000-000000000002") + "," +
                           event("bbbbbbbb-0000-4000-8000-000000000003") + "," +
                           event("bbbbbbbb-0000-4000-8000-000000000004") + "]";
constexpr const char* kWhere = "where=%7B%22plan%22%3A%22pro%22%7D";

std::vector<Case> cases() {
    const auto get = bhttp::verb::get;
    const auto post = bhttp::verb::post;
    const Condition normal = Condition::normal;
    const Condition no_db = Condition::no_database;
    const std::string dates = "from=2025-01-01&to=2025-01-31";
    return {
        {normal, "POST /events", post, "/events?strict=false", 200, kValid},
        {normal, "POST /events", post, "/events", 400, "[{"},
        {normal, "POST /events", post, "/events?strict=maybe", 400, kValid},
        {normal, "POST /events", post, "/events", 413, kThree},
        {normal, "POST /events", post, "/events", 415, kValid, {{"Content-Encoding", "br"}}},
        {normal, "POST /events", post, "/events?strict=true", 422, kInvalid},
        {no_db, "POST /events", post, "/events", 503, kValid},
        {normal, "GET /healthz", get, "/healthz", 200},
        {normal, "GET /readyz", get, "/readyz", 200},
        {no_db, "GET /readyz", get, "/readyz", 503},
        {normal, "GET /metrics", get, "/metrics", 200},
        {normal, "GET /openapi.json", get, "/openapi.json", 200},
        {normal, "GET /docs", get, "/docs", 200},
        {Condition::no_docs, "GET /docs", get, "/docs", 503},
        {normal, "GET /docs/{asset}", get, "/docs/swagger-ui.css", 200},
        {normal, "GET /docs/{asset}", get, "/docs/no-such-file.css", 404},
        {normal, "GET /docs/{asset}", get, "/docs/..%2Fopenapi.json", 404},
        {Condition::no_docs, "GET /docs/{asset}", get, "/docs/swagger-ui.css", 503},
        // The analytics routes.
        {normal, "GET /stats/dau", get, "/stats/dau?" + dates + "&event_type=click&" + kWhere,
         200},
        {normal, "GET /stats/dau", get, "/stats/dau?from=2025-02-01&to=2025-01-01", 400},
        {no_db, "GET /stats/dau", get, "/stats/dau?" + dates, 503},
        {normal, "GET /stats/top-events", get,
         "/stats/top-events?" + dates + "&limit=5&event_type=click,view&" + kWhere, 200},
        {normal, "GET /stats/top-events", get, "/stats/top-events?" + dates + "&limit=0", 400},
        {no_db, "GET /stats/top-events", get, "/stats/top-events?" + dates, 503},
        {normal, "GET /stats/retention", get,
         "/stats/retention?start_date=2025-01-06&windows=3&granularity=week&mode=on"
         "&event_type=click&" + std::string(kWhere),
         200},
        {normal, "GET /stats/retention", get, "/stats/retention?start_date=2025-01-06&windows=53",
         400},
        {no_db, "GET /stats/retention", get, "/stats/retention?start_date=2025-01-06&windows=4",
         503},
        {normal, "GET /stats/events", get,
         "/stats/events?" + dates + "&interval=day&event_type=click&" + kWhere, 200},
        {normal, "GET /stats/events", get, "/stats/events?" + dates + "&interval=year", 400},
        {no_db, "GET /stats/events", get, "/stats/events?" + dates, 503},
        {normal, "GET /stats/funnel", get,
         "/stats/funnel?steps=signup,click&" + dates + "&window=7d&" + kWhere, 200},
        {normal, "GET /stats/funnel", get, "/stats/funnel?steps=signup&" + dates, 400},
        {no_db, "GET /stats/funnel", get, "/stats/funnel?steps=signup,click&" + dates, 503},
        {normal, "GET /users/{user_id}/events", get, "/users/u1/events?" + dates + "&limit=10",
         200},
        {normal, "GET /users/{user_id}/events", get, "/users/u1/events?cursor=not-a-cursor", 400},
        {no_db, "GET /users/{user_id}/events", get, "/users/u1/events", 503},
        // Authentication and rate limits, on every route that takes a key.
        {normal, "POST /events", post, "/events", 401, kValid, {}, Caller::none},
        {normal, "POST /events", post, "/events", 403, kValid, {}, Caller::wrong_scope},
        {normal, "POST /events", post, "/events", 429, kValid, {}, Caller::limited},
        {normal, "GET /stats/dau", get, "/stats/dau?" + dates, 401, {}, {}, Caller::none},
        {normal, "GET /stats/dau", get, "/stats/dau?" + dates, 403, {}, {}, Caller::wrong_scope},
        {normal, "GET /stats/dau", get, "/stats/dau?" + dates, 429, {}, {}, Caller::limited},
        {normal, "GET /stats/top-events", get, "/stats/top-events?" + dates, 401, {}, {},
         Caller::none},
        {normal, "GET /stats/top-events", get, "/stats/top-events?" + dates, 403, {}, {},
         Caller::wrong_scope},
        {normal, "GET /stats/top-events", get, "/stats/top-events?" + dates, 429, {}, {},
         Caller::limited},
        {normal, "GET /stats/retention", get, "/stats/retention?start_date=2025-01-06&windows=2",
         401, {}, {}, Caller::none},
        {normal, "GET /stats/retention", get, "/stats/retention?start_date=2025-01-06&windows=2",
         403, {}, {}, Caller::wrong_scope},
        {normal, "GET /stats/retention", get, "/stats/retention?start_date=2025-01-06&windows=2",
         429, {}, {}, Caller::limited},
        {normal, "GET /stats/events", get, "/stats/events?" + dates, 401, {}, {}, Caller::none},
        {normal, "GET /stats/events", get, "/stats/events?" + dates, 403, {}, {},
         Caller::wrong_scope},
        {normal, "GET /stats/events", get, "/stats/events?" + dates, 429, {}, {},
         Caller::limited},
        {normal, "GET /stats/funnel", get, "/stats/funnel?steps=signup,click&" + dates, 401, {},
         {}, Caller::none},
        {normal, "GET /stats/funnel", get, "/stats/funnel?steps=signup,click&" + dates, 403, {},
         {}, Caller::wrong_scope},
        {normal, "GET /stats/funnel", get, "/stats/funnel?steps=signup,click&" + dates, 429, {},
         {}, Caller::limited},
        {normal, "GET /users/{user_id}/events", get, "/users/u1/events", 401, {}, {},
         Caller::none},
        {normal, "GET /users/{user_id}/events", get, "/users/u1/events", 403, {}, {},
         Caller::wrong_scope},
        {normal, "GET /users/{user_id}/events", get, "/users/u1/events", 429, {}, {},
         Caller::limited},
    };
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string media_type(std::string_view content_type) {
    return std::string(content_type.substr(0, content_type.find(';')));
}

/// Query parameter names of a target.
std::set<std::string> query_names(const std::string& target) {
    std::set<std::string> names;
    const std::size_t question = target.find('?');
    if (question == std::string::npos) {
        return names;
    }
    std::string_view query = std::string_view(target).substr(question + 1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        names.emplace(pair.substr(0, pair.find('=')));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return names;
}

/// "/users/u1/events" against "/users/{user_id}/events": one segment per parameter.
bool matches_template(std::string_view path, std::string_view pattern) {
    while (!path.empty() && !pattern.empty()) {
        const std::size_t p = path.find('/', 1);
        const std::size_t t = pattern.find('/', 1);
        const std::string_view segment = path.substr(0, p);
        const std::string_view expected = pattern.substr(0, t);
        const bool parameter = expected.size() > 3 && expected[1] == '{' && expected.back() == '}';
        if (parameter ? segment.size() < 2 : segment != expected) {
            return false;
        }
        path = p == std::string_view::npos ? std::string_view() : path.substr(p);
        pattern = t == std::string_view::npos ? std::string_view() : pattern.substr(t);
    }
    return path.empty() && pattern.empty();
}

class OpenApiDocument {
public:
    explicit OpenApiDocument(const std::string& text) : text_(text) {
        root_ = parser_.parse(text_).value();
    }

    /// "METHOD /path" of every operation.
    [[nodiscard]] std::set<std::string> operations() const {
        std::set<std::string> result;
        for (const auto [path, item] : testing::object_of(root_["paths"])) {
            for (const auto [method, operation] : testing::object_of(item)) {
                (void)operation;
                result.insert(upper(method) + " " + std::string(path));
            }
        }
        return result;
    }

    [[nodiscard]] element operation(const std::string& name) const {
        const std::size_t space = name.find(' ');
        std::string method = name.substr(0, space);
        for (char& c : method) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return root_["paths"][name.substr(space + 1)][method].value();
    }

    /// Follows a local "$ref" ("#/components/..."), or returns the element itself.
    [[nodiscard]] element resolve(element node) const {
        std::string_view ref;
        if (node.is_object() && node["$ref"].get(ref) == simdjson::SUCCESS) {
            return resolve(root_.at_pointer(ref.substr(1)).value());
        }
        return node;
    }

    [[nodiscard]] std::set<std::string> statuses(const std::string& name) const {
        std::set<std::string> result;
        for (const auto [status, response] : testing::object_of(operation(name)["responses"])) {
            (void)response;
            result.emplace(status);
        }
        return result;
    }

    /// Parameter names of an operation, by where they go ("query", "path", "header").
    [[nodiscard]] std::map<std::string, std::set<std::string>> parameters(
        const std::string& name) const {
        std::map<std::string, std::set<std::string>> result;
        simdjson::dom::array list;
        if (operation(name)["parameters"].get(list) != simdjson::SUCCESS) {
            return result;
        }
        for (const element parameter : list) {
            const element resolved = resolve(parameter);
            result[std::string(resolved["in"].get_string().value())].emplace(
                resolved["name"].get_string().value());
        }
        return result;
    }

    /// The schema for that status and media type; a message when there is none.
    [[nodiscard]] bool response_schema(const std::string& name, unsigned status,
                                       const std::string& media, element& schema,
                                       std::string& why) const {
        element response;
        if (operation(name)["responses"][std::to_string(status)].get(response) !=
            simdjson::SUCCESS) {
            why = "status " + std::to_string(status) + " is not documented for " + name;
            return false;
        }
        response = resolve(response);
        if (response["content"][media]["schema"].get(schema) != simdjson::SUCCESS) {
            why = "media type " + media + " is not documented for " + name + " " +
                  std::to_string(status);
            return false;
        }
        schema = resolve(schema);
        return true;
    }

    /// A small JSON Schema check, just what this document uses: $ref, type, nullable,
    /// required, properties, items, enum and oneOf. Appends what does not match.
    void validate(element schema, element value, const std::string& where,
                  std::vector<std::string>& problems) const {
        schema = resolve(schema);
        simdjson::dom::array alternatives;
        if (schema["oneOf"].get(alternatives) == simdjson::SUCCESS) {
            for (const element alternative : alternatives) {
                std::vector<std::string> ignored;
                validate(alternative, value, where, ignored);
                if (ignored.empty()) {
                    return;
                }
            }
            problems.push_back(where + ": matches none of oneOf");
            return;
        }
        bool nullable = false;
        if (schema["nullable"].get(nullable) != simdjson::SUCCESS) {
            nullable = false;
        }
        if (value.is_null() && nullable) {
            return;
        }
        std::string_view type;
        if (schema["type"].get(type) == simdjson::SUCCESS && !has_type(value, type)) {
            problems.push_back(where + ": expected " + std::string(type));
            return;
        }
        simdjson::dom::array allowed;
        if (schema["enum"].get(allowed) == simdjson::SUCCESS) {
            bool found = false;
            for (const element option : allowed) {
                found = found || simdjson::to_string(option) == simdjson::to_string(value);
            }
            if (!found) {
                problems.push_back(where + ": " + std::string(simdjson::to_string(value)) +
                                   " is not in enum");
            }
        }
        if (value.is_object()) {
            simdjson::dom::array required;
            if (schema["required"].get(required) == simdjson::SUCCESS) {
                for (const element key : required) {
                    element ignored;
                    if (value[key.get_string().value()].get(ignored) != simdjson::SUCCESS) {
                        problems.push_back(where + ": missing " +
                                           std::string(key.get_string().value()));
                    }
                }
            }
            simdjson::dom::object properties;
            if (schema["properties"].get(properties) == simdjson::SUCCESS) {
                for (const auto [key, field] : testing::object_of(value)) {
                    element property;
                    if (properties[key].get(property) == simdjson::SUCCESS) {
                        validate(property, field, where + "." + std::string(key), problems);
                    }
                }
            }
        }
        element items;
        if (value.is_array() && schema["items"].get(items) == simdjson::SUCCESS) {
            std::size_t index = 0;
            for (const element item : testing::array_of(value)) {
                validate(items, item, where + "[" + std::to_string(index++) + "]", problems);
            }
        }
    }

private:
    static bool has_type(element value, std::string_view type) {
        if (type == "object") return value.is_object();
        if (type == "array") return value.is_array();
        if (type == "string") return value.is_string();
        if (type == "boolean") return value.is_bool();
        if (type == "integer") return value.is_int64() || value.is_uint64();
        if (type == "number") return value.is_number();
        return false;
    }

    std::string text_;
    simdjson::dom::parser parser_;
    element root_;
};

void configure_normal(service::ServiceConfig& config) {
    config.events.max_events = 2;  // so that three events are a 413
    config.auth.enabled = true;
}

/// The keys of the normal service, one per Caller.
struct Keys {
    std::string full;
    std::string read;
    std::string ingest;
    std::string limited;
};

class OpenApi : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        service_ = new RunningService(configure_normal);
        keys_.full = service_->create_key("openapi", auth::Scope::all);
        keys_.read = service_->create_key("openapi read", auth::Scope::read);
        keys_.ingest = service_->create_key("openapi ingest", auth::Scope::ingest);
        // One request in a thousand seconds: spent by the request below, so every case
        // with this key meets a 429.
        auth::KeyRequest limited;
        limited.name = "openapi limited";
        limited.requests_per_second = 0.001;
        keys_.limited = service_->create_key(limited);
        const HttpResponse spent = service_->client().request(
            bhttp::verb::get, "/stats/dau?from=2025-01-01&to=2025-01-01", "",
            {{"Authorization", "Bearer " + keys_.limited}});
        ASSERT_EQ(spent.status, 200U) << spent.body;

        const HttpResponse response = service_->client().get("/openapi.json");
        ASSERT_EQ(response.status, 200U);
        document_ = new OpenApiDocument(response.body);
    }

    /// The headers that carry the case's key (none for Caller::none).
    static Headers key_headers(const Case& c) {
        const bool ingest_route = c.operation == "POST /events";
        switch (c.caller) {
            case Caller::full:
                return {{"Authorization", "Bearer " + keys_.full}};
            case Caller::none:
                return {};
            case Caller::wrong_scope:
                return {{"X-API-Key", ingest_route ? keys_.read : keys_.ingest}};
            case Caller::limited:
                return {{"Authorization", "Bearer " + keys_.limited}};
        }
        return {};
    }
    static void TearDownTestSuite() {
        delete document_;
        delete service_;
    }

    static std::set<std::string> registered() {
        std::set<std::string> result;
        for (const http::RouteInfo& route : service_->service().router().routes()) {
            const auto method = bhttp::to_string(route.method);
            result.insert(std::string(method.data(), method.size()) + " " +
                          std::string(metrics::route_pattern(route.route)));
        }
        return result;
    }

    /// Runs the cases of one condition against a service in it.
    static void run_cases(Condition condition, RunningService& service) {
        const std::set<std::string> routes = registered();
        for (const Case& c : cases()) {
            if (c.condition != condition || routes.count(c.operation) == 0) {
                continue;
            }
            SCOPED_TRACE(c.operation + " " + c.target);
            Headers headers = c.headers;
            for (auto& header : key_headers(c)) {
                headers.push_back(std::move(header));
            }
            const HttpResponse response =
                service.client().request(c.method, c.target, c.body, headers);
            EXPECT_EQ(response.status, c.status) << response.body.substr(0, 300);
            const std::string media = media_type(response.header("Content-Type"));
            element schema;
            std::string why;
            if (!document_->response_schema(c.operation, response.status, media, schema, why)) {
                ADD_FAILURE() << why;
                continue;
            }
            if (media != "application/json") {
                continue;
            }
            simdjson::dom::parser parser;
            element body;
            ASSERT_EQ(parser.parse(response.body).get(body), simdjson::SUCCESS) << response.body;
            std::vector<std::string> problems;
            document_->validate(schema, body, "body", problems);
            for (const std::string& problem : problems) {
                ADD_FAILURE() << problem << "\n" << response.body.substr(0, 300);
            }
        }
    }

    static RunningService* service_;
    static OpenApiDocument* document_;
    static Keys keys_;
};

RunningService* OpenApi::service_ = nullptr;
Keys OpenApi::keys_;
OpenApiDocument* OpenApi::document_ = nullptr;

TEST_F(OpenApi, DocumentsExactlyTheRegisteredRoutes) {
    const std::set<std::string> documented = document_->operations();
    const std::set<std::string> routes = registered();
    for (const std::string& route : routes) {
        EXPECT_EQ(documented.count(route), 1U) << route << " is served but not documented";
    }
    for (const std::string& operation : documented) {
        EXPECT_EQ(routes.count(operation), 1U)
            << operation << " is documented but the service does not serve it";
    }
}

TEST_F(OpenApi, EveryDocumentedStatusAndParameterIsExercised) {
    const std::set<std::string> routes = registered();
    std::map<std::string, std::set<std::string>> statuses;
    std::map<std::string, std::set<std::string>> query;
    std::map<std::string, std::set<std::string>> headers;
    for (const Case& c : cases()) {
        EXPECT_TRUE(matches_template(c.target.substr(0, c.target.find('?')),
                                     c.operation.substr(c.operation.find(' ') + 1)))
            << c.target << " is not a path of " << c.operation;
        statuses[c.operation].insert(std::to_string(c.status));
        for (const std::string& name : query_names(c.target)) {
            query[c.operation].insert(name);
        }
        for (const auto& [name, value] : c.headers) {
            headers[c.operation].insert(name);
        }
    }
    for (const std::string& operation : document_->operations()) {
        if (routes.count(operation) == 0) {
            continue;  // the other test reports a documented route not served
        }
        for (const std::string& status : document_->statuses(operation)) {
            const std::string key = operation + " " + status;
            EXPECT_TRUE(statuses[operation].count(status) == 1 || kNotProvoked.count(key) == 1)
                << key << " is documented but no case here provokes it";
        }
        auto parameters = document_->parameters(operation);
        EXPECT_EQ(parameters["query"], query[operation])
            << operation << ": documented query parameters differ from those exercised";
        EXPECT_EQ(parameters["header"], headers[operation])
            << operation << ": documented header parameters differ from those exercised";
    }
}

TEST_F(OpenApi, AnswersMatchTheDocumentWhenAllIsWell) { run_cases(Condition::normal, *service_); }

TEST_F(OpenApi, AnswersMatchTheDocumentWithoutSwaggerUiAssets) {
    RunningService service([](service::ServiceConfig& config) {
        config.docs_directory = "/nonexistent/eventline-swagger-ui";
    });
    run_cases(Condition::no_docs, service);
}

TEST_F(OpenApi, AnswersMatchTheDocumentWithoutADatabase) {
    // Nothing listens on that port: the writers never connect, and start() serves after
    // its connection wait.
    const std::string url =
        "postgresql://eventline@127.0.0.1:" + std::to_string(testing::free_port()) + "/none";
    RunningService service([&url](service::ServiceConfig& config) { config.database_url = url; });
    run_cases(Condition::no_database, service);
}

TEST_F(OpenApi, TheTemplateMatcherTellsPathsApart) {
    EXPECT_TRUE(matches_template("/users/u1/events", "/users/{user_id}/events"));
    EXPECT_FALSE(matches_template("/users/u1/more/events", "/users/{user_id}/events"));
    EXPECT_FALSE(matches_template("/users//events", "/users/{user_id}/events"));
    EXPECT_TRUE(matches_template("/docs", "/docs"));
    EXPECT_FALSE(matches_template("/docs", "/docs/{asset}"));
}

}  // namespace
}  // namespace eventline

#pragma once

#include "target_url.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventline::bench {

/// A read-only memory map of a whole file; the bodies are sent straight from it.
class MappedFile {
public:
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    [[nodiscard]] std::string_view bytes() const { return {data_, size_}; }

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// One request, ready to go: its header block and body are written together with one
/// gather write, so sending it costs no formatting and no copy.
struct Request {
    std::string_view head;
    std::string_view body;
    std::uint32_t events = 0;
};

/// Every request of an NDJSON file (one request body a line), built before the clock
/// starts. Not movable: the requests point into its own storage.
class RequestSet {
public:
    RequestSet(const std::string& path, const TargetUrl& url, bool gzip);
    RequestSet(const RequestSet&) = delete;
    RequestSet& operator=(const RequestSet&) = delete;

    [[nodiscard]] const std::vector<Request>& requests() const { return requests_; }
    [[nodiscard]] std::uint64_t total_events() const { return total_events_; }
    [[nodiscard]] std::size_t unreadable_lines() const { return unreadable_lines_; }

private:
    struct Span {
        std::size_t offset;
        std::size_t size;
    };

    void index_lines();
    void count_events();
    void compress_bodies();
    void build_heads(const TargetUrl& url, bool gzip);

    MappedFile file_;
    std::vector<std::string_view> bodies_;
    std::vector<std::uint32_t> events_;
    std::string compressed_;  // all gzip bodies back to back, when --gzip
    std::string heads_;       // all header blocks back to back
    std::vector<Request> requests_;
    std::uint64_t total_events_ = 0;
    std::size_t unreadable_lines_ = 0;
};

}  // namespace eventline::bench

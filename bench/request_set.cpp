#include "request_set.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace eventline::bench {
namespace {

// deflate's window bits plus 16 ask zlib for a gzip wrapper instead of a zlib one.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kZlibMemLevel = 8;

[[noreturn]] void throw_errno(std::string_view what, const std::string& path) {
    throw std::system_error(errno, std::generic_category(), fmt::format("{} {}", what, path));
}

// Counts the events of one body: a JSON array, or an object whose "events" is one.
// Anything else counts as zero events and is still sent: the server's answer to it
// is part of what a run may want to measure.
bool count_body_events(simdjson::ondemand::parser& parser, std::string& scratch,
                       std::string_view body, std::uint32_t& events) {
    scratch.assign(body);
    scratch.resize(body.size() + simdjson::SIMDJSON_PADDING);
    auto doc = parser.iterate(scratch.data(), body.size(), scratch.size());
    simdjson::ondemand::json_type type;
    if (doc.type().get(type)) {
        return false;
    }
    simdjson::ondemand::array array;
    simdjson::error_code error = simdjson::INCORRECT_TYPE;
    if (type == simdjson::ondemand::json_type::array) {
        error = doc.get_array().get(array);
    } else if (type == simdjson::ondemand::json_type::object) {
        error = doc["events"].get_array().get(array);
    }
    std::size_t count = 0;
    if (error || array.count_elements().get(count)) {
        return false;
    }
    events = static_cast<std::uint32_t>(count);
    return true;
}

std::string gzip(std::string_view body) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kZlibMemLevel,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out(deflateBound(&stream, body.size()), '\0');
    // zlib's API predates const: it never writes through next_in.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) {
        throw std::runtime_error("deflate did not finish in one call");
    }
    return out;
}

}  // namespace

MappedFile::MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("cannot open", path);
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        throw_errno("cannot stat", path);
    }
    size_ = static_cast<std::size_t>(info.st_size);
    if (size_ > 0) {
        // MAP_POPULATE faults the whole file in now, so no page fault lands in a timed send.
        void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (mapped == MAP_FAILED) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            throw_errno("cannot mmap", path);
        }
        data_ = static_cast<const char*>(mapped);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) {
        ::munmap(const_cast<char*>(data_), size_);
    }
}

RequestSet::RequestSet(const std::string& path, const TargetUrl& url, bool gzip) : file_(path) {
    index_lines();
    if (bodies_.empty()) {
        throw std::invalid_argument(fmt::format("{} holds no request body", path));
    }
    count_events();
    if (gzip) {
        compress_bodies();
    }
    build_heads(url, gzip);
}

void RequestSet::index_lines() {
    std::string_view rest = file_.bytes();
    while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        std::string_view line = rest.substr(0, newline);
        rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        if (!line.empty()) {
            bodies_.push_back(line);
        }
    }
}

void RequestSet::count_events() {
    simdjson::ondemand::parser parser;
    std::string scratch;
    events_.reserve(bodies_.size());
    for (const std::string_view body : bodies_) {
        std::uint32_t events = 0;
        if (!count_body_events(parser, scratch, body, events)) {
            ++unreadable_lines_;
            events = 0;
        }
        events_.push_back(events);
        total_events_ += events;
    }
}

void RequestSet::compress_bodies() {
    std::vector<Span> spans;
    spans.reserve(bodies_.size());
    for (const std::string_view body : bodies_) {
        const std::string packed = gzip(body);
        spans.push_back({compressed_.size(), packed.size()});
        compressed_ += packed;
    }
    // Views are taken only now that compressed_ has stopped growing.
    for (std::size_t i = 0; i < bodies_.size(); ++i) {
        bodies_[i] = std::string_view(compressed_).substr(spans[i].offset, spans[i].size);
    }
}

void RequestSet::build_heads(const TargetUrl& url, bool gzip) {
    std::vector<Span> spans;
    spans.reserve(bodies_.size());
    for (const std::string_view body : bodies_) {
        const std::size_t start = heads_.size();
        fmt::format_to(std::back_inserter(heads_),
                       "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n"
                       "{}Content-Length: {}\r\n\r\n",
                       url.target, url.host_header, gzip ? "Content-Encoding: gzip\r\n" : "",
                       body.size());
        spans.push_back({start, heads_.size() - start});
    }
    requests_.reserve(bodies_.size());
    for (std::size_t i = 0; i < bodies_.size(); ++i) {
        const auto head = std::string_view(heads_).substr(spans[i].offset, spans[i].size);
        requests_.push_back({head, bodies_[i], events_[i]});
    }
}

}  // namespace eventline::bench

#include "importer/rejects.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace eventline::importer {
namespace {

/// Appends `text` as one RFC 4180 field: quoted, inner quotes doubled.
void append_csv_field(std::string& out, std::string_view text) {
    out.push_back('"');
    for (const char c : text) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

}  // namespace

RejectsWriter::RejectsWriter(std::string path, bool quiet) : path_(std::move(path)), quiet_(quiet) {}

RejectsWriter::~RejectsWriter() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
}

void RejectsWriter::reject(std::uint64_t line, std::string_view reason, std::string_view record) {
    if (file_ == nullptr) {
        file_ = std::fopen(path_.c_str(), "w");
        if (file_ == nullptr) {
            throw std::runtime_error(
                fmt::format("cannot create the rejects file {}: {}", path_, std::strerror(errno)));
        }
        std::fputs("line,reason,record\n", file_);
    }

    line_.clear();
    fmt::format_to(std::back_inserter(line_), "{},", line);
    append_csv_field(line_, reason);
    line_.push_back(',');
    append_csv_field(line_, record);
    line_.push_back('\n');
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
        throw std::runtime_error(
            fmt::format("cannot write the rejects file {}: {}", path_, std::strerror(errno)));
    }

    ++count_;
    if (!quiet_ && count_ <= kShownOnStderr) {
        fmt::print(stderr, "line {}: {}\n", line, reason);
        if (count_ == kShownOnStderr) {
            fmt::print(stderr, "further rejected rows are listed only in {}\n", path_);
        }
    }
}

void RejectsWriter::close() {
    if (file_ == nullptr) {
        return;
    }
    const bool ok = std::fflush(file_) == 0 && std::ferror(file_) == 0;
    std::fclose(file_);
    file_ = nullptr;
    if (!ok) {
        throw std::runtime_error(fmt::format("cannot write the rejects file {}", path_));
    }
}

std::string default_rejects_path(const std::string& input) {
    if (input == "-") {
        return "stdin.rejects.csv";
    }
    std::string base = input;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, ".gz") == 0) {
        base.resize(base.size() - 3);
    }
    return base + ".rejects.csv";
}

}  // namespace eventline::importer

#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace eventline::importer {

/// Where refused rows go: every one to the rejects file, as CSV
/// (`line,reason,record`, the record being the original text), created only when the
/// first row is refused; the first hundred also to stderr, each with its line number.
class RejectsWriter {
public:
    RejectsWriter(std::string path, bool quiet);
    ~RejectsWriter();

    RejectsWriter(const RejectsWriter&) = delete;
    RejectsWriter& operator=(const RejectsWriter&) = delete;

    void reject(std::uint64_t line, std::string_view reason, std::string_view record);

    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] const std::string& path() const { return path_; }

    /// Flushes and closes the file; throws std::runtime_error when that fails.
    void close();

private:
    static constexpr std::uint64_t kShownOnStderr = 100;

    std::string path_;
    bool quiet_;
    std::FILE* file_ = nullptr;
    std::uint64_t count_ = 0;
    std::string line_;  // reused to build each CSV line
};

/// The default rejects file: `<input>.rejects.csv` beside the input (without a `.gz`),
/// or `stdin.rejects.csv` in the current directory for standard input.
[[nodiscard]] std::string default_rejects_path(const std::string& input);

}  // namespace eventline::importer

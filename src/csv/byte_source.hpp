#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// zlib's stream state, kept out of this header so that its users need not see zlib.h.
struct z_stream_s;

namespace eventline::csv {

/// Where the CSV reader's bytes come from: a file, standard input, or a gzip stream over
/// either. Reads are blocking; errors are exceptions, so that the reader's loop stays
/// simple and "end of input" can never be confused with "could not read".
class ByteSource {
public:
    ByteSource() = default;
    virtual ~ByteSource() = default;

    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;

    /// Reads up to `capacity` bytes into `buffer` and returns how many; 0 only at the end
    /// of the input (or when `capacity` is 0). Throws std::runtime_error, naming the
    /// file, when the input cannot be read or decompressed.
    virtual std::size_t read(char* buffer, std::size_t capacity) = 0;

    /// Bytes of the underlying file read so far: compressed bytes for gzip, so that it
    /// can be compared with total_bytes() to show progress.
    [[nodiscard]] virtual std::uint64_t bytes_consumed() const = 0;

    /// The underlying file's size, when known (a regular file; not standard input).
    [[nodiscard]] virtual std::optional<std::uint64_t> total_bytes() const = 0;
};

/// A file read as it is, or standard input for the path `-`.
class FileSource final : public ByteSource {
public:
    /// Opens `path`; throws std::runtime_error naming it when it cannot be opened or is a
    /// directory. Standard input is used as it is and never closed.
    explicit FileSource(const std::string& path);
    ~FileSource() override;

    std::size_t read(char* buffer, std::size_t capacity) override;
    [[nodiscard]] std::uint64_t bytes_consumed() const override { return consumed_; }
    [[nodiscard]] std::optional<std::uint64_t> total_bytes() const override { return total_; }

    /// Returns up to `count` bytes from the start of the input (fewer only at its end)
    /// without consuming them: read() delivers them again. For sniffing the format of
    /// standard input, which cannot be rewound; call it before the first read().
    std::string_view peek(std::size_t count);

    /// The path, or "standard input": for messages.
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    std::size_t read_file(char* buffer, std::size_t capacity);

    int fd_ = -1;
    bool owns_fd_ = false;
    std::string name_;
    std::uint64_t consumed_ = 0;
    std::optional<std::uint64_t> total_;
    std::string peeked_;  // read by peek(), not yet returned by read()
    std::size_t peeked_offset_ = 0;
};

/// Decompresses a gzip stream read from another source.
///
/// Several gzip members one after the other (as `cat a.gz b.gz` or parallel compressors
/// write them) are one stream, as gzip(1) reads them. Anything that is not a complete
/// gzip member is an error naming the file: a truncated file, corrupt data, and also
/// trailing bytes after the last member, which gzip(1) only warns about, because an
/// import should not silently lose data. A zlib-wrapped stream is accepted too (zlib
/// detects the header), which costs nothing and harms no one.
class GzipSource final : public ByteSource {
public:
    /// `name` is used in error messages (the file's path).
    GzipSource(std::unique_ptr<ByteSource> compressed, std::string name);
    ~GzipSource() override;

    std::size_t read(char* buffer, std::size_t capacity) override;
    [[nodiscard]] std::uint64_t bytes_consumed() const override {
        return compressed_->bytes_consumed();
    }
    [[nodiscard]] std::optional<std::uint64_t> total_bytes() const override {
        return compressed_->total_bytes();
    }

private:
    [[noreturn]] void fail(std::string_view what) const;

    std::unique_ptr<ByteSource> compressed_;
    std::string name_;
    std::unique_ptr<z_stream_s> stream_;
    std::vector<char> input_;
    bool input_done_ = false;  // the compressed source returned its end
    bool member_open_ = true;  // inside a gzip member: its end has not been seen yet
    bool finished_ = false;
};

/// Opens `path` for reading: `-` is standard input; a path ending in `.gz` is read
/// through gzip; standard input is read through gzip when it starts with gzip's magic
/// bytes (1f 8b), which no CSV text can start with. Throws std::runtime_error naming the
/// path when it cannot be opened.
std::unique_ptr<ByteSource> open_source(const std::string& path);

}  // namespace eventline::csv

#include "csv/byte_source.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace eventline::csv {
namespace {

constexpr std::string_view kStdinPath = "-";
constexpr std::string_view kStdinName = "standard input";
constexpr std::string_view kGzipSuffix = ".gz";
constexpr char kGzipMagic[] = {'\x1f', '\x8b'};

// 15 window bits (the largest, which any gzip file may use), +32: detect the gzip (or
// zlib) header automatically.
constexpr int kAutoDetectWindowBits = 15 + 32;
// Compressed bytes read per call of the underlying source.
constexpr std::size_t kGzipInputBytes = 256 * 1024;
// zlib counts in uInt: never hand it more than this at once.
constexpr std::size_t kMaxZlibChunk = std::size_t{1} << 30;

std::string errno_message() {
    return std::error_code(errno, std::generic_category()).message();
}

}  // namespace

FileSource::FileSource(const std::string& path) {
    if (path == kStdinPath) {
        fd_ = STDIN_FILENO;
        name_ = kStdinName;
        // Standard input may be a regular file, but possibly read from an offset or
        // shared with others: its size says nothing reliable about what is left.
        return;
    }
    name_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        throw std::runtime_error("cannot open " + name_ + ": " + errno_message());
    }
    owns_fd_ = true;
    struct stat status {};
    if (::fstat(fd_, &status) != 0) {
        const std::string message = "cannot open " + name_ + ": " + errno_message();
        ::close(fd_);
        throw std::runtime_error(message);
    }
    if (S_ISDIR(status.st_mode)) {
        ::close(fd_);
        throw std::runtime_error("cannot read " + name_ + ": it is a directory");
    }
    if (S_ISREG(status.st_mode)) {
        total_ = static_cast<std::uint64_t>(status.st_size);
    }
}

FileSource::~FileSource() {
    if (owns_fd_) {
        ::close(fd_);
    }
}

std::size_t FileSource::read(char* buffer, std::size_t capacity) {
    if (peeked_offset_ < peeked_.size()) {
        const std::size_t count = std::min(capacity, peeked_.size() - peeked_offset_);
        std::memcpy(buffer, peeked_.data() + peeked_offset_, count);
        peeked_offset_ += count;
        return count;
    }
    return read_file(buffer, capacity);
}

std::string_view FileSource::peek(std::size_t count) {
    // A pipe may deliver fewer bytes than asked for: keep reading up to `count` or the end.
    while (peeked_.size() < count) {
        char chunk[64];
        const std::size_t got = read_file(chunk, std::min(sizeof chunk, count - peeked_.size()));
        if (got == 0) {
            break;
        }
        peeked_.append(chunk, got);
    }
    return std::string_view(peeked_).substr(peeked_offset_, count);
}

std::size_t FileSource::read_file(char* buffer, std::size_t capacity) {
    for (;;) {
        const ssize_t got = ::read(fd_, buffer, capacity);
        if (got >= 0) {
            consumed_ += static_cast<std::uint64_t>(got);
            return static_cast<std::size_t>(got);
        }
        if (errno != EINTR) {
            throw std::runtime_error("cannot read " + name_ + ": " + errno_message());
        }
    }
}

GzipSource::GzipSource(std::unique_ptr<ByteSource> compressed, std::string name)
    : compressed_(std::move(compressed)),
      name_(std::move(name)),
      stream_(std::make_unique<z_stream>()),
      input_(kGzipInputBytes) {
    if (inflateInit2(stream_.get(), kAutoDetectWindowBits) != Z_OK) {
        throw std::runtime_error("cannot read " + name_ + ": zlib cannot start inflating");
    }
}

GzipSource::~GzipSource() {
    inflateEnd(stream_.get());
}

void GzipSource::fail(std::string_view what) const {
    throw std::runtime_error("cannot decompress " + name_ + ": " + std::string(what));
}

std::size_t GzipSource::read(char* buffer, std::size_t capacity) {
    if (finished_ || capacity == 0) {
        return 0;
    }
    z_stream& stream = *stream_;
    const auto out_size = static_cast<uInt>(std::min(capacity, kMaxZlibChunk));
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = out_size;

    // Loop until something comes out: a call may consume input (a header, the end of a
    // member) without producing any, and 0 must mean the end.
    while (stream.avail_out == out_size) {
        if (stream.avail_in == 0 && !input_done_) {
            const std::size_t got = compressed_->read(input_.data(), input_.size());
            input_done_ = got == 0;
            stream.next_in = reinterpret_cast<Bytef*>(input_.data());
            stream.avail_in = static_cast<uInt>(got);
        }
        if (!member_open_) {
            if (stream.avail_in == 0) {
                finished_ = true;  // the input ended right after a member: a clean end
                break;
            }
            // More bytes after a member's end: another member. inflateReset keeps
            // next_in and avail_in.
            if (inflateReset(&stream) != Z_OK) {
                fail("zlib cannot restart");
            }
            member_open_ = true;
        }
        const int result = inflate(&stream, Z_NO_FLUSH);
        if (result == Z_STREAM_END) {
            member_open_ = false;
        } else if (result == Z_OK) {
            // Progress: go on.
        } else if (result == Z_BUF_ERROR && stream.avail_in == 0) {
            // No progress without more input: fetch some, unless there is no more.
            if (input_done_) {
                fail("unexpected end of data: the file is truncated or not gzip");
            }
        } else if (result == Z_MEM_ERROR) {
            fail("out of memory");
        } else if (result == Z_NEED_DICT) {
            fail("corrupt data: the stream asks for a preset dictionary");
        } else {
            fail(std::string("corrupt data: ") +
                 (stream.msg != nullptr ? stream.msg : zError(result)));
        }
    }
    return out_size - stream.avail_out;
}

std::unique_ptr<ByteSource> open_source(const std::string& path) {
    auto file = std::make_unique<FileSource>(path);
    bool gzip = false;
    if (path == kStdinPath) {
        gzip = file->peek(sizeof kGzipMagic) == std::string_view(kGzipMagic, sizeof kGzipMagic);
    } else {
        gzip = std::string_view(path).ends_with(kGzipSuffix);
    }
    if (!gzip) {
        return file;
    }
    std::string name = file->name();
    return std::make_unique<GzipSource>(std::move(file), std::move(name));
}

}  // namespace eventline::csv

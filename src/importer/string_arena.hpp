#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace eventline::importer {

/// Owns the text of a chunk's events. Views it hands out stay valid until clear():
/// blocks are never moved, only added, and clear() keeps the first for reuse, so a
/// steady import does not allocate.
class StringArena {
public:
    std::string_view append(std::string_view text) {
        if (text.size() > available()) {
            add_block(text.size());
        }
        char* destination = blocks_[current_].data.get() + used_;
        std::memcpy(destination, text.data(), text.size());
        used_ += text.size();
        return {destination, text.size()};
    }

    void clear() {
        if (blocks_.size() > 1) {
            blocks_.resize(1);
        }
        current_ = 0;
        used_ = 0;
    }

private:
    static constexpr std::size_t kBlockBytes = 4 * 1024 * 1024;

    struct Block {
        std::unique_ptr<char[]> data;
        std::size_t size;
    };

    std::size_t available() const {
        return blocks_.empty() ? 0 : blocks_[current_].size - used_;
    }

    void add_block(std::size_t at_least) {
        const std::size_t size = std::max(kBlockBytes, at_least);
        if (!blocks_.empty() && current_ + 1 < blocks_.size() && blocks_[current_ + 1].size >= size) {
            ++current_;
        } else {
            blocks_.push_back(Block{std::make_unique<char[]>(size), size});
            current_ = blocks_.size() - 1;
        }
        used_ = 0;
    }

    std::vector<Block> blocks_;
    std::size_t current_ = 0;
    std::size_t used_ = 0;
};

}  // namespace eventline::importer

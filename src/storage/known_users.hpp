#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

#include "event/event.hpp"

namespace eventline::storage {

/// What the writers of a process remember of the users their committed groups
/// numbered: each one's `user_key`.
///
/// Most events come from users seen before, and numbering them is most of what the
/// rollups cost the database (an index lookup per user per group). With this, a user
/// is sent to `users` only when new to the process. That is safe because a key is
/// remembered only once the transaction that numbered it has committed, rows of
/// `users` are never deleted and a `user_key` never changes.
///
/// Bounded by two generations: when the current one is full it becomes the previous
/// one and the old previous one is dropped; a user found in the previous generation
/// moves back into the current one. Recently active users stay, the rest are forgotten
/// and only cost a lookup again. A working set larger than one generation churns:
/// each change of generation forgets the users not met since the last one, so the
/// default holds 100,000 active users (the benchmarks' population) in one generation.
/// Shared by all the writers of a process, behind a mutex held for one lookup.
class KnownUsers {
public:
    /// About 100 bytes a user: 13 MiB a generation.
    static constexpr std::size_t kDefaultGenerationSize = 131'072;

    /// At most `2 * generation_size` users are held.
    explicit KnownUsers(std::size_t generation_size = kDefaultGenerationSize)
        : generation_size_(generation_size) {}

    /// The user's key, if remembered. Finding a user keeps it.
    [[nodiscard]] std::optional<std::int32_t> find(event::ProjectId project_id,
                                                   std::string_view user_id);

    /// Remembers a user numbered by a committed transaction.
    void remember(event::ProjectId project_id, std::string_view user_id, std::int32_t user_key);

    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return current_.size() + previous_.size();
    }

private:
    struct Key {
        event::ProjectId project_id;
        std::string user_id;
    };
    struct KeyView {
        event::ProjectId project_id;
        std::string_view user_id;
    };
    // Transparent, so that a lookup by string_view does not build a std::string.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(const KeyView& key) const noexcept;
        std::size_t operator()(const Key& key) const noexcept {
            return (*this)(KeyView{key.project_id, key.user_id});
        }
    };
    struct KeyEqual {
        using is_transparent = void;
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const noexcept {
            return a.project_id == b.project_id &&
                   std::string_view(a.user_id) == std::string_view(b.user_id);
        }
    };
    // Open addressing: a lookup touches one group of slots, not a chain of nodes, which
    // matters at one lookup per user per group against 100,000 users.
    using Generation = boost::unordered_flat_map<Key, std::int32_t, KeyHash, KeyEqual>;

    void insert_current(const KeyView& key, std::int32_t user_key);

    std::size_t generation_size_;
    mutable std::mutex mutex_;
    Generation current_;
    Generation previous_;
};

}  // namespace eventline::storage

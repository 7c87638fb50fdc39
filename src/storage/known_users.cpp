#include "storage/known_users.hpp"

#include <algorithm>

namespace eventline::storage {

std::size_t KnownUsers::KeyHash::operator()(const KeyView& key) const noexcept {
    return std::hash<std::string_view>{}(key.user_id) ^
           static_cast<std::size_t>(key.project_id) * 0x9e3779b97f4a7c15ULL;
}

const KnownUsers::User* KnownUsers::find(event::ProjectId project_id, std::string_view user_id) {
    const KeyView key{project_id, user_id};
    if (const auto found = current_.find(key); found != current_.end()) {
        return &found->second;
    }
    const auto old = previous_.find(key);
    if (old == previous_.end()) {
        return nullptr;
    }
    const User user = old->second;
    insert_current(key, user);
    return &current_.find(key)->second;
}

void KnownUsers::remember(event::ProjectId project_id, std::string_view user_id, User user) {
    const KeyView key{project_id, user_id};
    if (const auto found = current_.find(key); found != current_.end()) {
        // Both times are at or after the true one; the earlier is the closer bound.
        found->second.user_key = user.user_key;
        found->second.first_seen_at = std::min(found->second.first_seen_at, user.first_seen_at);
        return;
    }
    insert_current(key, user);
}

void KnownUsers::insert_current(const KeyView& key, User user) {
    if (current_.size() >= generation_size_) {
        previous_ = std::move(current_);
        current_ = Generation();
        current_.reserve(generation_size_);
    }
    current_.emplace(Key{key.project_id, std::string(key.user_id)}, user);
}

}  // namespace eventline::storage

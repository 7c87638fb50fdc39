#include "storage/known_users.hpp"

namespace eventline::storage {

std::size_t KnownUsers::KeyHash::operator()(const KeyView& key) const noexcept {
    return std::hash<std::string_view>{}(key.user_id) ^
           static_cast<std::size_t>(key.project_id) * 0x9e3779b97f4a7c15ULL;
}

std::optional<std::int32_t> KnownUsers::find(event::ProjectId project_id,
                                             std::string_view user_id) {
    const KeyView key{project_id, user_id};
    std::lock_guard lock(mutex_);
    if (const auto found = current_.find(key); found != current_.end()) {
        return found->second;
    }
    const auto old = previous_.find(key);
    if (old == previous_.end()) {
        return std::nullopt;
    }
    const std::int32_t user_key = old->second;
    insert_current(key, user_key);
    return user_key;
}

void KnownUsers::remember(event::ProjectId project_id, std::string_view user_id,
                          std::int32_t user_key) {
    const KeyView key{project_id, user_id};
    std::lock_guard lock(mutex_);
    if (const auto found = current_.find(key); found != current_.end()) {
        found->second = user_key;
        return;
    }
    insert_current(key, user_key);
}

void KnownUsers::insert_current(const KeyView& key, std::int32_t user_key) {
    if (current_.size() >= generation_size_) {
        previous_ = std::move(current_);
        current_ = Generation();
        current_.reserve(generation_size_);
    }
    current_.emplace(Key{key.project_id, std::string(key.user_id)}, user_key);
}

}  // namespace eventline::storage

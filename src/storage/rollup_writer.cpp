#include "storage/rollup_writer.hpp"

#include <charconv>
#include <functional>
#include <stdexcept>

namespace eventline::storage {
namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

// Numbers the group's users. Known users are looked up one by one through the primary
// key, then the others are inserted in key order, so that two writers adding the same
// users wait for each other instead of deadlocking; skipping known users keeps the
// identity default from using up a key for every row the INSERT would skip.
// The lookup is a subquery per user rather than a join on purpose: the statement is
// prepared, and PostgreSQL plans it once for all later groups from the statistics of
// that moment. On a new database `users` is empty, a join is planned as a hash join over
// a scan of the whole table, and that plan stays while the table grows: numbering cost
// 2 ms a group at 80,000 users, 40% of the database's time on 10-event batches. A
// primary-key lookup per user is the cheapest plan whatever the statistics say.
// A user that a concurrent transaction inserted first is in neither list; the caller
// runs the statement again, and then it is known.
constexpr const char* kNumberUsersName = "number_users";
constexpr const char* kNumberUsers = R"sql(
WITH input AS (
    SELECT i.project_id, i.user_id, i.n,
           (SELECT u.user_key FROM users AS u
            WHERE u.project_id = i.project_id AND u.user_id = i.user_id) AS user_key
    FROM unnest($1::integer[], $2::text[]) WITH ORDINALITY AS i (project_id, user_id, n)
), added AS (
    INSERT INTO users (project_id, user_id)
    SELECT project_id, user_id
    FROM input
    WHERE user_key IS NULL
    ORDER BY project_id, user_id
    ON CONFLICT (project_id, user_id) DO NOTHING
    RETURNING project_id, user_id, user_key
)
SELECT n, user_key FROM input WHERE user_key IS NOT NULL
UNION ALL
SELECT i.n, a.user_key
FROM added AS a JOIN input AS i USING (project_id, user_id))sql";

// Sets the group's bits in each (day, block) row of the writer's shard. A row whose
// bits are all set already, as for a heavy user's tenth event of the day, is left
// alone instead of rewritten.
constexpr const char* kMarkActivityName = "mark_activity";
constexpr const char* kMarkActivity = R"sql(
INSERT INTO user_activity AS a (project_id, day, block, shard, users)
SELECT project_id, date '1970-01-01' + day, block, $5::smallint, users
FROM unnest($1::integer[], $2::integer[], $3::integer[], $4::bit(8192)[])
    AS g (project_id, day, block, users)
ORDER BY 1, 2, 3
ON CONFLICT (project_id, day, block, shard) DO UPDATE
SET users = a.users | excluded.users
WHERE a.users | excluded.users <> a.users)sql";

constexpr const char* kCountEventTypesName = "count_event_types";
constexpr const char* kCountEventTypes = R"sql(
INSERT INTO daily_event_counts AS c (project_id, day, event_type, shard, events)
SELECT project_id, date '1970-01-01' + day, event_type, $5::smallint, events
FROM unnest($1::integer[], $2::integer[], $3::text[], $4::bigint[])
    AS g (project_id, day, event_type, events)
ORDER BY 1, 2, 3
ON CONFLICT (project_id, day, event_type, shard) DO UPDATE
SET events = c.events + excluded.events)sql";

// Three tries cover any real race: after the first, every user of the group exists.
constexpr int kNumberUsersAttempts = 3;

std::int32_t day_of(event::UnixMicros micros) {
    return static_cast<std::int32_t>(micros / kMicrosPerDay);
}

template <typename Number>
Number parse_number(std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw std::logic_error("unexpected number from PostgreSQL");
    }
    return value;
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
    constexpr std::string_view kDigits = "0123456789abcdef";
    out += 'x';
    for (const std::uint8_t byte : bytes) {
        out += kDigits[byte >> 4];
        out += kDigits[byte & 0x0f];
    }
}

}  // namespace

std::size_t RollupWriter::UserRefHash::operator()(const UserRef& user) const noexcept {
    return std::hash<std::string_view>{}(user.user_id) ^
           static_cast<std::size_t>(user.project_id) * 0x9e3779b97f4a7c15ULL;
}

std::size_t RollupWriter::DayKeyHash::operator()(const DayKey& key) const noexcept {
    std::size_t hash = std::hash<std::string_view>{}(key.event_type);
    hash ^= static_cast<std::size_t>(key.project_id) * 0x9e3779b97f4a7c15ULL;
    hash ^= static_cast<std::size_t>(key.day) * 0xc2b2ae3d27d4eb4fULL;
    hash ^= static_cast<std::size_t>(key.block) * 0x165667b19e3779f9ULL;
    return hash;
}

RollupWriter::RollupWriter(PgConnection& connection, std::size_t writer_index,
                           KnownUsers& known_users)
    : connection_(connection),
      shard_(std::to_string(writer_index % kRollupShards)),
      known_users_(known_users) {
    connection_.prepare(kNumberUsersName, kNumberUsers);
    connection_.prepare(kMarkActivityName, kMarkActivity);
    connection_.prepare(kCountEventTypesName, kCountEventTypes);
}

void RollupWriter::add(std::span<const event::Event* const> events, ThenCommit then_commit) {
    numbered_.clear();  // what a rolled-back group numbered must not be remembered
    const bool commit = then_commit == ThenCommit::yes;
    if (events.empty()) {
        if (commit) {
            connection_.exec("COMMIT");
        }
        return;
    }

    number_users(events);

    // The bitmaps and the counts need nothing back from the database: they go in one
    // round trip, with the COMMIT when there is one.
    const PipelinedStatement statements[] = {
        {kMarkActivityName, nullptr, 5, mark_activity(events)},
        {kCountEventTypesName, nullptr, 5, count_event_types(events)},
        {nullptr, "COMMIT", 0, nullptr},
    };
    connection_.exec_pipelined(std::span(statements).first(commit ? 3 : 2));
    if (commit) {
        committed();
    }
}

void RollupWriter::number_users(std::span<const event::Event* const> events) {
    user_index_.clear();
    users_.clear();
    event_users_.clear();
    for (const event::Event* event : events) {
        const UserRef user{event->project_id, event->user_id};
        const auto [found, added] =
            user_index_.try_emplace(user, static_cast<std::uint32_t>(users_.size()));
        if (added) {
            users_.push_back(user);
        }
        event_users_.push_back(found->second);
    }

    // Users this writer knows need nothing from the database.
    user_keys_.assign(users_.size(), -1);
    asked_.clear();
    for (std::size_t i = 0; i < users_.size(); ++i) {
        if (const auto key = known_users_.find(users_[i].project_id, users_[i].user_id)) {
            user_keys_[i] = *key;
        } else {
            asked_.push_back(static_cast<std::uint32_t>(i));
        }
    }
    if (asked_.empty()) {
        return;
    }

    for (PgArrayBuilder& array : arrays_) {
        array.clear();
    }
    for (const std::uint32_t i : asked_) {
        arrays_[0].add(users_[i].project_id);
        arrays_[1].add_text(users_[i].user_id);
    }
    const char* const params[] = {arrays_[0].finish(), arrays_[1].finish()};

    for (int attempt = 1;; ++attempt) {
        PgResult numbered = connection_.exec_prepared(kNumberUsersName, 2, params);
        numbered_.clear();
        for (int row = 0; row < numbered.rows(); ++row) {
            const std::uint32_t i = asked_.at(parse_number<std::size_t>(numbered.value(row, 0)) - 1);
            const auto key = parse_number<std::int32_t>(numbered.value(row, 1));
            user_keys_[i] = key;
            numbered_.emplace_back(i, key);
        }
        if (numbered_.size() == asked_.size()) {
            return;
        }
        if (attempt == kNumberUsersAttempts) {
            // 40001, serialization_failure: the group writer retries the transaction.
            throw DatabaseError("users of the group could not be numbered", "40001", false);
        }
    }
}

void RollupWriter::committed() {
    for (const auto& [i, key] : numbered_) {
        known_users_.remember(users_[i].project_id, users_[i].user_id, key);
    }
    numbered_.clear();
}

const char* const* RollupWriter::mark_activity(std::span<const event::Event* const> events) {
    day_index_.clear();
    day_keys_.clear();
    bitmaps_.clear();
    for (std::size_t i = 0; i < events.size(); ++i) {
        const event::Event* event = events[i];
        const std::int32_t key = user_keys_[event_users_[i]];
        const DayKey day{event->project_id, day_of(event->occurred_at),
                         key / kUsersPerActivityBlock, {}};
        const auto [found, added] =
            day_index_.try_emplace(day, static_cast<std::uint32_t>(day_keys_.size()));
        if (added) {
            day_keys_.push_back(day);
            bitmaps_.emplace_back().fill(0);
        }
        // Bit 0 is the leftmost bit of a PostgreSQL bit string: the first byte's top bit.
        const std::int32_t bit = key % kUsersPerActivityBlock;
        bitmaps_[found->second][static_cast<std::size_t>(bit / 8)] |=
            static_cast<std::uint8_t>(0x80u >> (bit % 8));
    }

    for (PgArrayBuilder& array : arrays_) {
        array.clear();
    }
    for (std::size_t i = 0; i < day_keys_.size(); ++i) {
        arrays_[0].add(day_keys_[i].project_id);
        arrays_[1].add(day_keys_[i].day);
        arrays_[2].add(day_keys_[i].block);
        hex_.clear();
        append_hex(hex_, bitmaps_[i]);
        arrays_[3].add_raw(hex_);
    }
    activity_params_ = {arrays_[0].finish(), arrays_[1].finish(), arrays_[2].finish(),
                        arrays_[3].finish(), shard_.c_str()};
    return activity_params_.data();
}

const char* const* RollupWriter::count_event_types(std::span<const event::Event* const> events) {
    day_index_.clear();
    day_keys_.clear();
    counts_.clear();
    for (const event::Event* event : events) {
        const DayKey day{event->project_id, day_of(event->occurred_at), 0, event->event_type};
        const auto [found, added] =
            day_index_.try_emplace(day, static_cast<std::uint32_t>(day_keys_.size()));
        if (added) {
            day_keys_.push_back(day);
            counts_.push_back(0);
        }
        ++counts_[found->second];
    }

    for (PgArrayBuilder& array : count_arrays_) {
        array.clear();
    }
    for (std::size_t i = 0; i < day_keys_.size(); ++i) {
        count_arrays_[0].add(day_keys_[i].project_id);
        count_arrays_[1].add(day_keys_[i].day);
        count_arrays_[2].add_text(day_keys_[i].event_type);
        count_arrays_[3].add(counts_[i]);
    }
    count_params_ = {count_arrays_[0].finish(), count_arrays_[1].finish(),
                     count_arrays_[2].finish(), count_arrays_[3].finish(), shard_.c_str()};
    return count_params_.data();
}

}  // namespace eventline::storage

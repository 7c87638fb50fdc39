// What a writer remembers of its users: found by project and id, the earlier of two
// first-seen times kept, and never more than two generations of users.

#include <gtest/gtest.h>

#include <string>

#include "storage/known_users.hpp"

namespace eventline::storage {
namespace {

TEST(KnownUsers, FindsAUserByProjectAndId) {
    KnownUsers users(10);
    users.remember(1, "alice", {7, 1'000});

    const KnownUsers::User* alice = users.find(1, std::string("alice"));
    ASSERT_NE(alice, nullptr);
    EXPECT_EQ(alice->user_key, 7);
    EXPECT_EQ(alice->first_seen_at, 1'000);
    EXPECT_EQ(users.find(2, "alice"), nullptr);
    EXPECT_EQ(users.find(1, "alic"), nullptr);
}

TEST(KnownUsers, KeepsTheEarlierFirstSeenTime) {
    KnownUsers users(10);
    users.remember(1, "alice", {7, 1'000});
    users.remember(1, "alice", {7, 2'000});
    EXPECT_EQ(users.find(1, "alice")->first_seen_at, 1'000);
    users.remember(1, "alice", {7, 500});
    EXPECT_EQ(users.find(1, "alice")->first_seen_at, 500);
}

TEST(KnownUsers, HoldsAtMostTwoGenerationsAndKeepsTheUsersItFinds) {
    KnownUsers users(3);
    for (int i = 0; i < 3; ++i) {
        users.remember(1, "user " + std::to_string(i), {i, 0});
    }
    // A fourth user starts a new generation; user 0, found again, moves into it.
    users.remember(1, "user 3", {3, 0});
    ASSERT_NE(users.find(1, "user 0"), nullptr);
    // User 4 fills the new generation, user 5 starts a third: users 1 and 2, not
    // found since, are forgotten.
    users.remember(1, "user 4", {4, 0});
    users.remember(1, "user 5", {5, 0});
    EXPECT_EQ(users.find(1, "user 1"), nullptr);
    EXPECT_EQ(users.find(1, "user 2"), nullptr);
    for (int i : {0, 3, 4, 5}) {
        const KnownUsers::User* user = users.find(1, "user " + std::to_string(i));
        ASSERT_NE(user, nullptr) << i;
        EXPECT_EQ(user->user_key, i);
    }
    EXPECT_LE(users.size(), 6U);
}

}  // namespace
}  // namespace eventline::storage

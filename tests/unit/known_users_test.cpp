// What a writer remembers of its users: found by project and id, and never more than
// two generations of users.

#include <gtest/gtest.h>

#include <string>

#include "storage/known_users.hpp"

namespace eventline::storage {
namespace {

TEST(KnownUsers, FindsAUserByProjectAndId) {
    KnownUsers users(10);
    users.remember(1, "alice", 7);

    EXPECT_EQ(users.find(1, std::string("alice")), 7);
    EXPECT_EQ(users.find(2, "alice"), std::nullopt);
    EXPECT_EQ(users.find(1, "alic"), std::nullopt);
}

TEST(KnownUsers, HoldsAtMostTwoGenerationsAndKeepsTheUsersItFinds) {
    KnownUsers users(3);
    for (int i = 0; i < 3; ++i) {
        users.remember(1, "user " + std::to_string(i), i);
    }
    // A fourth user starts a new generation; user 0, found again, moves into it.
    users.remember(1, "user 3", 3);
    ASSERT_EQ(users.find(1, "user 0"), 0);
    // User 4 fills the new generation, user 5 starts a third: users 1 and 2, not
    // found since, are forgotten.
    users.remember(1, "user 4", 4);
    users.remember(1, "user 5", 5);
    EXPECT_EQ(users.find(1, "user 1"), std::nullopt);
    EXPECT_EQ(users.find(1, "user 2"), std::nullopt);
    for (int i : {0, 3, 4, 5}) {
        EXPECT_EQ(users.find(1, "user " + std::to_string(i)), i) << i;
    }
    EXPECT_LE(users.size(), 6U);
}

}  // namespace
}  // namespace eventline::storage

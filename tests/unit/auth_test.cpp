// API keys without a database: their format, their hash, scopes, and the token buckets
// driven by a clock of the test's own.

#include <gtest/gtest.h>

#include <set>

#include "auth/key_format.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/scope.hpp"
#include "auth/token_bucket.hpp"

namespace eventline::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(KeyFormat, KeysAreTheMarkerAnd43Base64UrlCharactersAndNeverRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string key = generate_key();
        EXPECT_EQ(key.size(), kKeyLength);
        EXPECT_TRUE(key.starts_with("evl_")) << key;
        EXPECT_TRUE(well_formed(key)) << key;
        EXPECT_EQ(key.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
                  std::string::npos)
            << key;
        EXPECT_TRUE(seen.insert(key).second) << "a key came out twice: " << key;
    }
}

TEST(KeyFormat, MalformedKeysAreRecognisedBeforeAnyLookup) {
    const std::string key = generate_key();
    EXPECT_FALSE(well_formed(""));
    EXPECT_FALSE(well_formed(key.substr(0, kKeyLength - 1)));
    EXPECT_FALSE(well_formed(key + "A"));
    EXPECT_FALSE(well_formed("xyz_" + key.substr(4)));
    std::string with_space = key;
    with_space[10] = ' ';
    EXPECT_FALSE(well_formed(with_space));
    std::string with_nul = key;
    with_nul[20] = '\0';
    EXPECT_FALSE(well_formed(with_nul));
}

TEST(KeyFormat, TheHashIsSha256OfTheWholeKey) {
    // FIPS 180-2's test vector, then a key: the hash must be SHA-256 and nothing else.
    EXPECT_EQ(to_hex(hash_key("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string key = generate_key();
    EXPECT_EQ(hash_key(key), hash_key(key));
    std::string other = key;
    other.back() = other.back() == 'A' ? 'B' : 'A';
    EXPECT_NE(hash_key(key), hash_key(other));
}

TEST(KeyFormat, HexRoundTripsAndRefusesWhatIsNotAHash) {
    const KeyHash hash = hash_key(generate_key());
    KeyHash back{};
    ASSERT_TRUE(from_hex(to_hex(hash), back));
    EXPECT_EQ(back, hash);
    EXPECT_FALSE(from_hex("abcd", back));
    EXPECT_FALSE(from_hex(std::string(64, 'g'), back));
}

TEST(KeyFormat, ThePrefixIsTheMarkerAndEightCharacters) {
    const std::string key = generate_key();
    EXPECT_EQ(key_prefix(key), key.substr(0, 12));
}

TEST(Scopes, EachScopeGrantsItsRoutesAndOpenRoutesNeedNone) {
    EXPECT_TRUE(grants(Scope::ingest, Permission::ingest));
    EXPECT_FALSE(grants(Scope::ingest, Permission::read));
    EXPECT_TRUE(grants(Scope::read, Permission::read));
    EXPECT_FALSE(grants(Scope::read, Permission::ingest));
    EXPECT_TRUE(grants(Scope::all, Permission::ingest));
    EXPECT_TRUE(grants(Scope::all, Permission::read));
    EXPECT_TRUE(grants(Scope::read, Permission::open));
    EXPECT_EQ(parse_scope("ingest"), Scope::ingest);
    EXPECT_EQ(parse_scope("ALL"), std::nullopt);
}

class TokenBucketTest : public ::testing::Test {
protected:
    Clock::time_point t0_ = Clock::time_point(seconds(1000));
};

TEST_F(TokenBucketTest, StartsFullAndRefusesPastTheBurstUntilItRefills) {
    TokenBucket bucket(10, 10, t0_);  // 10 a second, 10 saved up
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(bucket.take(1, t0_).allowed) << i;
    }
    const RateDecision refused = bucket.take(1, t0_);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.limit, 10U);
    EXPECT_EQ(refused.remaining, 0U);
    EXPECT_EQ(refused.retry_after_seconds, 1U);
    EXPECT_EQ(refused.reset_seconds, 1U);

    EXPECT_FALSE(bucket.take(1, t0_ + milliseconds(50)).allowed);  // half a token
    EXPECT_TRUE(bucket.take(1, t0_ + milliseconds(100)).allowed);  // one token back
}

TEST_F(TokenBucketTest, NeverSavesMoreThanTheBurst) {
    TokenBucket bucket(10, 10, t0_);
    const RateDecision after_an_hour = bucket.take(1, t0_ + seconds(3600));
    EXPECT_TRUE(after_an_hour.allowed);
    EXPECT_EQ(after_an_hour.remaining, 9U);
}

TEST_F(TokenBucketTest, ABatchLargerThanTheBurstPassesWhenFullAndLeavesADebt) {
    TokenBucket bucket(100, 100, t0_);
    EXPECT_TRUE(bucket.take(250, t0_).allowed);  // full: it goes, 150 tokens owed
    const RateDecision next = bucket.take(1, t0_ + seconds(1));  // -50 after a second
    EXPECT_FALSE(next.allowed);
    EXPECT_EQ(next.retry_after_seconds, 1U);  // 51 tokens at 100/s: under a second
    EXPECT_TRUE(bucket.take(1, t0_ + milliseconds(1520)).allowed);
}

TEST_F(TokenBucketTest, RetryAfterSaysWhenTheRefusedChargeWouldPass) {
    TokenBucket bucket(2, 20, t0_);
    EXPECT_TRUE(bucket.take(20, t0_).allowed);
    const RateDecision refused = bucket.take(10, t0_);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 5U);  // 10 tokens at 2 a second
    EXPECT_EQ(refused.reset_seconds, 10U);       // 20 tokens to full
    EXPECT_FALSE(bucket.take(10, t0_ + milliseconds(4900)).allowed);
    EXPECT_TRUE(bucket.take(10, t0_ + milliseconds(5000)).allowed);
}

TEST_F(TokenBucketTest, AClockThatStepsBackDoesNotMintTokens) {
    TokenBucket bucket(1, 1, t0_);
    EXPECT_TRUE(bucket.take(1, t0_).allowed);
    EXPECT_FALSE(bucket.take(1, t0_ - seconds(10)).allowed);
    EXPECT_FALSE(bucket.take(1, t0_).allowed);
}

TEST(RateLimiter, EachKeyHasItsOwnBucketsAndItsOwnOrTheDefaultRates) {
    Clock::time_point now = Clock::time_point(seconds(5));
    RateLimiter limiter(RateDefaults{100, 2, 1}, [&now] { return now; });
    KeyRecord slow;
    slow.key_id = 1;
    slow.events_per_second = 5;
    KeyRecord other;
    other.key_id = 2;

    EXPECT_TRUE(limiter.take_events(slow, 5)->allowed);
    EXPECT_FALSE(limiter.take_events(slow, 1)->allowed);  // its own 5/s
    EXPECT_TRUE(limiter.take_events(other, 100)->allowed);  // the default 100/s
    EXPECT_EQ(limiter.take_events(other, 1)->limit, 100U);

    EXPECT_TRUE(limiter.take_request(slow)->allowed);  // default 2 requests/s
    EXPECT_TRUE(limiter.take_request(slow)->allowed);
    EXPECT_FALSE(limiter.take_request(slow)->allowed);
    EXPECT_TRUE(limiter.take_request(other)->allowed);  // another key, another bucket

    now += seconds(1);
    EXPECT_TRUE(limiter.take_request(slow)->allowed);
    EXPECT_TRUE(limiter.take_events(slow, 5)->allowed);
}

TEST(RateLimiter, ZeroMeansUnlimitedAndTheBurstIsSecondsOfTheRate) {
    Clock::time_point now = Clock::time_point(seconds(5));
    RateLimiter unlimited(RateDefaults{0, 0, 1}, [&now] { return now; });
    KeyRecord key;
    key.key_id = 7;
    EXPECT_FALSE(unlimited.take_request(key).has_value());
    EXPECT_FALSE(unlimited.take_events(key, 1'000'000).has_value());

    RateLimiter bursty(RateDefaults{10, 10, 3}, [&now] { return now; });
    EXPECT_EQ(bursty.take_events(key, 30)->limit, 30U);
    EXPECT_FALSE(bursty.take_events(key, 1)->allowed);
}

}  // namespace
}  // namespace eventline::auth

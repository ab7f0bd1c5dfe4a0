// A GoogleTest base class that starts one real peer (dynalite, moto_server,
// ...) for a whole test suite and stops it after the suite. When the peer
// cannot start, the suite's tests fail with the reason; they never skip.
//
//   class DynaliteTest : public testutil::PeerSuite<testutil::start_dynalite> {...};
//
// A derived fixture's SetUp() should check that peer_ is set before it uses
// peer_->endpoint(), so each test also fails (not crashes) without the peer.
//
// Header-only, for test binaries (the CLI links tests/util without GoogleTest).
// Thread-safety: GoogleTest runs suite set-up and tear-down on one thread.
#ifndef AWSPERF_TESTS_UTIL_PEER_SUITE_H_
#define AWSPERF_TESTS_UTIL_PEER_SUITE_H_

#include <gtest/gtest.h>

#include <utility>

#include "process.h"

namespace awsperf::testutil {

template <Result<Peer> (*Start)()>
class PeerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto peer = Start();
    ASSERT_TRUE(peer.has_value()) << "this suite's peer is required: " << peer.error().to_string();
    peer_ = new Peer(std::move(*peer));
  }
  static void TearDownTestSuite() {
    delete peer_;
    peer_ = nullptr;
  }

  inline static Peer* peer_ = nullptr;
};

}  // namespace awsperf::testutil

#endif  // AWSPERF_TESTS_UTIL_PEER_SUITE_H_

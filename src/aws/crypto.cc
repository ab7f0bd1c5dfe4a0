#include "awsperf/aws/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <bit>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include "awsperf/aws/encoding.h"

namespace awsperf::aws {
namespace {

// Explicit fetches, done once: the implicit fetch behind EVP_sha256() and
// EVP_Q_mac() costs a provider lookup on every call, which shows on the
// signing path.
const EVP_MD* fetched_md(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();  // the default provider always has these
  return md;
}

const EVP_MD* sha256_md() {
  static const EVP_MD* md = fetched_md("SHA256");
  return md;
}

const EVP_MD* md5_md() {
  static const EVP_MD* md = fetched_md("MD5");
  return md;
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return mac;
}

// EVP_Digest allocates and frees a context on every call; a per-thread
// context re-initialised with an already fetched digest does not.
template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, std::string_view data) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx holder;
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (holder.ctx == nullptr || EVP_DigestInit_ex(holder.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(holder.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(holder.ctx, out.data(), &len) != 1 || len != N) {
    std::abort();  // only fails on allocation failure
  }
  return out;
}

}  // namespace

Sha256Digest sha256(std::string_view data) { return digest<32>(sha256_md(), data); }

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

namespace {

// One MAC context per thread with the digest already set: EVP_MAC_init with a
// digest parameter fetches the digest again on every call, which costs more
// than the HMAC of a short string. Re-initialising with only a key does not.
class ThreadHmac {
 public:
  ThreadHmac() : ctx_(EVP_MAC_CTX_new(hmac_mac())) {
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx_ == nullptr || EVP_MAC_CTX_set_params(ctx_, params) != 1) std::abort();
  }
  ~ThreadHmac() {
    OPENSSL_cleanse(last_key_.data(), last_key_.size());
    EVP_MAC_CTX_free(ctx_);
  }
  ThreadHmac(const ThreadHmac&) = delete;
  ThreadHmac& operator=(const ThreadHmac&) = delete;

  Sha256Digest compute(std::string_view key, std::string_view data) {
    Sha256Digest out{};
    std::size_t len = 0;
    // The same key as last time (a request signature: the day's signing
    // key): a null key re-initialises with the key's precomputed inner and
    // outer states instead of hashing the padded key again.
    const bool same_key = has_key_ && key == last_key_;
    bool ok = false;
    if (same_key) {
      ok = EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
    } else {
      has_key_ = false;
      ok = EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                        nullptr) == 1;
      if (ok) {
        OPENSSL_cleanse(last_key_.data(), last_key_.size());
        last_key_.assign(key);
        has_key_ = true;
      }
    }
    ok = ok &&
         EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
             1 &&
         EVP_MAC_final(ctx_, out.data(), &len, out.size()) == 1 && len == out.size();
    if (!ok) std::abort();  // only fails on allocation failure
    return out;
  }

 private:
  EVP_MAC_CTX* ctx_;
  std::string last_key_;  // the key the context holds, when has_key_
  bool has_key_ = false;
};

}  // namespace

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  thread_local ThreadHmac hmac;
  return hmac.compute(key, data);
}

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  Impl() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1) std::abort();
  }
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) != 1) std::abort();
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, out.data(), &len) != 1 ||
      EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

std::array<std::uint8_t, 16> md5(std::string_view data) { return digest<16>(md5_md(), data); }

std::string content_md5(std::string_view data) {
  auto d = md5(data);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

namespace {

// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), slicing by 8: eight
// bytes per step through eight tables instead of one byte per step.
struct Crc32Tables {
  std::uint32_t t[8][256];
};

constexpr Crc32Tables make_crc32_tables() {
  Crc32Tables tables{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    tables.t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) {
      const std::uint32_t prev = tables.t[k - 1][i];
      tables.t[k][i] = (prev >> 8) ^ tables.t[0][prev & 0xFF];
    }
  }
  return tables;
}

constexpr Crc32Tables kCrc32 = make_crc32_tables();

}  // namespace

std::uint32_t crc32(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  std::uint32_t c = 0xFFFFFFFFu;
  const auto& t = kCrc32.t;
  if constexpr (std::endian::native == std::endian::little) {
    while (n >= 8) {
      std::uint32_t lo = 0;
      std::uint32_t hi = 0;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + 4, 4);
      lo ^= c;
      c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
      p += 8;
      n -= 8;
    }
  }
  while (n-- > 0) c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

Status verify_crc32(std::string_view header_value, std::string_view body) {
  std::uint32_t expected = 0;
  auto [end, ec] =
      std::from_chars(header_value.data(), header_value.data() + header_value.size(), expected);
  if (header_value.empty() || ec != std::errc() ||
      end != header_value.data() + header_value.size()) {
    return make_error(ErrorCode::kProtocol, "x-amz-crc32 is not a decimal uint32: '" +
                                                std::string(header_value.substr(0, 32)) + "'");
  }
  std::uint32_t actual = crc32(body);
  if (actual != expected) {
    return make_error(ErrorCode::kChecksumMismatch,
                      "x-amz-crc32 mismatch: header " + std::to_string(expected) + ", body " +
                          std::to_string(actual) + " (" + std::to_string(body.size()) + " bytes)",
                      /*retryable=*/true);
  }
  return {};
}

}  // namespace awsperf::aws

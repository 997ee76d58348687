#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kla::redis {

// A reply, flattened to what kla uses.
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus };
  Type type = Type::kNil;
  std::string str;           // kString, kStatus
  int64_t integer = 0;       // kInteger
  std::vector<Reply> array;  // kArray
};

struct RedisOptions {
  std::string address;  // host:port
  absl::Duration connect_timeout = absl::Milliseconds(500);
  // Deadline of every command: Redis is a cache, a slow cache is a miss.
  absl::Duration command_timeout = absl::Milliseconds(500);
};

// A synchronous Redis connection with deadlines on connect and on every
// command. Thread-safe (one command at a time). A failed connection is
// dropped and re-opened on the next command, so a restarted Redis is picked
// up without restarting the service. Errors are UNAVAILABLE: callers treat
// Redis as a cache and fall back to the database.
class RedisClient {
 public:
  explicit RedisClient(RedisOptions options) : options_(std::move(options)) {}
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  absl::Status Ping();
  const std::string& address() const { return options_.address; }

 private:
  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  RedisOptions options_;
  absl::Mutex mu_;
  redisContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace kla::redis

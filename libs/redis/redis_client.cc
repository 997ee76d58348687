#include "libs/redis/redis_client.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace kla::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.array.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

RedisClient::~RedisClient() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

absl::Status RedisClient::ConnectLocked() {
  const size_t colon = options_.address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(options_.address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("Redis address \"", options_.address, "\" is not host:port"));
  }
  const std::string host = options_.address.substr(0, colon);
  ctx_ = redisConnectWithTimeout(host.c_str(), port, absl::ToTimeval(options_.connect_timeout));
  if (ctx_ == nullptr || ctx_->err != 0) {
    std::string err = ctx_ != nullptr ? ctx_->errstr : "out of memory";
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
    return absl::UnavailableError(absl::StrCat("Redis at ", options_.address, " unreachable: ", err));
  }
  redisSetTimeout(ctx_, absl::ToTimeval(options_.command_timeout));
  return absl::OkStatus();
}

absl::StatusOr<Reply> RedisClient::Command(const std::vector<std::string>& args) {
  absl::MutexLock lock(&mu_);
  if (ctx_ == nullptr) {
    absl::Status st = ConnectLocked();
    if (!st.ok()) return st;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    std::string err = ctx_->errstr;
    redisFree(ctx_);  // broken or timed out: reconnect next time
    ctx_ = nullptr;
    return absl::UnavailableError(absl::StrCat("Redis at ", options_.address, ": ", err));
  }
  if (r->type == REDIS_REPLY_ERROR) {
    std::string err(r->str, r->len);
    freeReplyObject(r);
    return absl::InternalError(absl::StrCat("Redis: ", err));
  }
  Reply out = Convert(r);
  freeReplyObject(r);
  return out;
}

absl::Status RedisClient::Ping() {
  auto r = Command({"PING"});
  if (!r.ok()) return r.status();
  return absl::OkStatus();
}

}  // namespace kla::redis

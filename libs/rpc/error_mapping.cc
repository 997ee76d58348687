#include "libs/rpc/error_mapping.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"

namespace kla::rpc {
namespace {

// Error details travel in a trailer, and gRPC refuses metadata over 8 KiB by
// default (RESOURCE_EXHAUSTED on the client, which then never sees the real
// error). Details are base64-encoded on the wire, so the lists are cut at
// 4 KiB and the message says how many were left out.
constexpr size_t kDetailBudget = 4096;

// What a caller reads instead of a concealed or internal error's text.
absl::string_view GenericMessage(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return "the service is unavailable right now; try again shortly";
    case absl::StatusCode::kResourceExhausted:
      return "the service's storage is full; try again later";
    case absl::StatusCode::kAborted:
      return "the request met a concurrent change; try again";
    case absl::StatusCode::kAlreadyExists:
      return "the resource already exists";
    case absl::StatusCode::kFailedPrecondition:
      return "the request conflicts with stored data";
    case absl::StatusCode::kDeadlineExceeded:
      return "the service did not answer in time";
    case absl::StatusCode::kCancelled:
      return "the call was cancelled";
    default:
      return "internal error";
  }
}

// A reason for errors that did not name one: from what the details say,
// else from the code.
ErrorReason DefaultReason(const absl::Status& status) {
  if (auto ref = GetResourceRef(status); !ref.type.empty()) {
    return {"RESOURCE_NOT_FOUND", {{"resource_type", ref.type}, {"resource_name", ref.name}}};
  }
  if (auto violations = GetFieldViolations(status); !violations.empty()) {
    return {"INVALID_FIELD", {{"field", violations.front().field}, {"violations", std::to_string(violations.size())}}};
  }
  if (auto unmet = GetPreconditionViolations(status); !unmet.empty()) {
    return {"PRECONDITION_FAILED", {{"type", unmet.front().type}, {"violations", std::to_string(unmet.size())}}};
  }
  return {ReasonOfCode(status.code()), {}};
}

bool Hidden(const absl::Status& status) {
  return IsConcealed(status) || status.code() == absl::StatusCode::kInternal ||
         status.code() == absl::StatusCode::kUnknown || status.code() == absl::StatusCode::kDataLoss;
}

}  // namespace

std::string ReasonOfCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kNotFound:
      return "RESOURCE_NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kUnauthenticated:
      return "TOKEN_INVALID";
    case absl::StatusCode::kFailedPrecondition:
      return "PRECONDITION_FAILED";
    case absl::StatusCode::kAborted:
      return "CONCURRENT_CHANGE";
    case absl::StatusCode::kResourceExhausted:
      return "LIMIT_REACHED";
    case absl::StatusCode::kUnavailable:
      return "SERVICE_UNAVAILABLE";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnimplemented:
      return "NOT_IMPLEMENTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    default:
      return "INTERNAL";
  }
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  std::string ref;
  if (Hidden(status)) {
    ref = NewUuid().substr(0, 8);
    log::Error("error text withheld from the caller", {{"ref", ref},
                                                       {"code", std::string(absl::StatusCodeToString(status.code()))},
                                                       {"cause", std::string(status.message())}});
    message = absl::StrCat(GenericMessage(status.code()), " (ref ", ref, ")");
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  size_t used = message.size();
  int total = 0;
  int listed = 0;
  auto fits = [&](size_t cost) {
    ++total;
    if (used + cost > kDetailBudget) return false;
    used += cost;
    ++listed;
    return true;
  };
  if (auto violations = GetFieldViolations(status); !violations.empty()) {
    google::rpc::BadRequest bad;
    for (const auto& v : violations) {
      if (!fits(v.field.size() + v.description.size() + 8)) continue;
      auto* fv = bad.add_field_violations();
      fv->set_field(v.field);
      fv->set_description(v.description);
    }
    details.add_details()->PackFrom(bad);
  }
  if (auto unmet = GetPreconditionViolations(status); !unmet.empty()) {
    google::rpc::PreconditionFailure failure;
    for (const auto& v : unmet) {
      if (!fits(v.type.size() + v.subject.size() + v.description.size() + 10)) continue;
      auto* pv = failure.add_violations();
      pv->set_type(v.type);
      pv->set_subject(v.subject);
      pv->set_description(v.description);
    }
    details.add_details()->PackFrom(failure);
  }
  if (listed < total) absl::StrAppend(&message, " (", listed, " of ", total, " listed)");
  details.set_message(message);
  if (auto resource = GetResourceRef(status); !resource.type.empty()) {
    google::rpc::ResourceInfo info;
    info.set_resource_type(resource.type);
    info.set_resource_name(resource.name);
    details.add_details()->PackFrom(info);
  }
  if (auto after = GetRetryAfter(status)) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(*after));
    retry.mutable_retry_delay()->set_nanos(
        static_cast<int32_t>(absl::ToInt64Nanoseconds(*after - absl::Seconds(absl::ToInt64Seconds(*after)))));
    details.add_details()->PackFrom(retry);
  }
  // Every error says why in a form programs can switch on; a concealed one
  // only by its code (its facts may be the internals withheld).
  const std::optional<ErrorReason> named = ref.empty() ? GetReason(status) : std::nullopt;
  ErrorReason reason = named ? *named : DefaultReason(ref.empty() ? status : absl::Status(status.code(), ""));
  if (!ref.empty()) reason.metadata["ref"] = ref;
  google::rpc::ErrorInfo info;
  info.set_reason(reason.reason);
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [k, v] : reason.metadata) (*info.mutable_metadata())[k] = v;
  details.add_details()->PackFrom(info);
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  absl::Status out(code, status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    std::vector<FieldViolation> violations;
    std::vector<PreconditionViolation> unmet;
    std::optional<ErrorReason> reason;
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad;
      google::rpc::PreconditionFailure failure;
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&bad)) {
        for (const auto& fv : bad.field_violations()) violations.push_back({fv.field(), fv.description()});
      } else if (any.UnpackTo(&failure)) {
        for (const auto& v : failure.violations()) unmet.push_back({v.type(), v.subject(), v.description()});
      } else if (any.UnpackTo(&info) && info.domain() == kErrorDomain) {
        reason = ErrorReason{info.reason(), {info.metadata().begin(), info.metadata().end()}};
      }
    }
    if (!violations.empty() && code == absl::StatusCode::kInvalidArgument) {
      out = InvalidArgumentAsIs(status.error_message(), violations);
    } else if (!unmet.empty() && code == absl::StatusCode::kFailedPrecondition) {
      out = FailedPreconditionWithViolations(status.error_message(), unmet);
    }
    if (reason) out = WithReason(std::move(out), reason->reason, std::move(reason->metadata));
  }
  // The transport writes these, naming addresses ("ipv4:10.0.0.5:7000: Failed
  // to connect"); a service passing them on shows its callers only the code.
  if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
      code == absl::StatusCode::kCancelled) {
    return Concealed(std::move(out));
  }
  return out;
}

}  // namespace kla::rpc

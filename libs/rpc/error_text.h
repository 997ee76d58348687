#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"
#include "google/rpc/status.pb.h"

namespace kla::rpc {

// Whether people get a sentence of their own for `reason` (else the
// sentence of its code, with the developer's message).
bool HasCatalogueText(absl::string_view reason);

// "en" when an Accept-Language value prefers English, else "id": people
// using kla read Bahasa Indonesia unless they ask otherwise.
std::string PreferredLanguage(absl::string_view accept_language);

// The sentence a person reads for an error, in `language` ("id" or "en"):
// written from the ErrorInfo reason and its metadata in `details`, else
// from the code. The status message stays the developer's (English) text.
std::string LocalizedText(grpc::StatusCode code, const google::rpc::Status& details, absl::string_view language);

// `status` with a google.rpc.LocalizedMessage in `language` added to its
// details (and an ErrorInfo by its code when it had none, as for errors
// written by gRPC itself). OK and already localized statuses unchanged.
grpc::Status LocalizeStatus(const grpc::Status& status, absl::string_view language);

}  // namespace kla::rpc

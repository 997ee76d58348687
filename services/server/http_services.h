#pragma once

#include <string>
#include <vector>

namespace kla::server {

// The services of the public contract, as the HTTP/JSON door serves them
// when all of kla runs (EventInbox, between kla's processes, is not one).
std::vector<std::string> HttpServices();

// Whether the access rules admit everyone to `method`
// ("kla.registry.v1.RegistryService.GetRegion"), anonymous callers too.
bool IsPublicMethod(const std::string& method);

}  // namespace kla::server

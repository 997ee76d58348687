#pragma once

#include <string>

namespace kla {

// A random (version 4) UUID in canonical text form, from the OS's CSPRNG.
std::string NewUuid();

// The same UUID for the same name, a different one for any other: the
// first 128 bits of SHA-256(name) with the version 8 and variant bits
// (RFC 9562). For ids that retries and other replicas must derive alike.
std::string NameUuid(const std::string& name);

// True for a canonical lowercase or uppercase UUID string.
bool IsUuid(const std::string& s);

}  // namespace kla

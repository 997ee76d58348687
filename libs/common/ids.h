#pragma once

#include <string>

namespace kla {

// A random (version 4) UUID in canonical text form, from the OS's CSPRNG.
std::string NewUuid();

// True for a canonical lowercase or uppercase UUID string.
bool IsUuid(const std::string& s);

}  // namespace kla

#pragma once

// Structured logging: one line per event, JSON (default, for collectors) or
// key=value text (for a person at a terminal). Thread-safe; writes to stderr.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"

namespace kla::log {

enum class Level { kDebug, kInfo, kWarning, kError };
enum class Format { kJson, kText };

// A field value: text, integer, floating (durations only) or boolean.
using Value = std::variant<absl::string_view, std::string, int64_t, double, bool>;

struct Field {
  absl::string_view key;
  Value value;
  Field(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  Field(absl::string_view k, const std::string& v) : key(k), value(absl::string_view(v)) {}
  Field(absl::string_view k, const char* v) : key(k), value(absl::string_view(v)) {}
  Field(absl::string_view k, int64_t v) : key(k), value(v) {}
  Field(absl::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, double v) : key(k), value(v) {}
  Field(absl::string_view k, bool v) : key(k), value(v) {}
};

void Configure(Format format, Level min_level);
bool ParseFormat(absl::string_view s, Format* out);
bool ParseLevel(absl::string_view s, Level* out);

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields = {});

inline void Debug(absl::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(absl::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(absl::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarning, m, f); }
inline void Error(absl::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

// JSON string escaping, shared with other line-oriented writers.
std::string JsonEscape(absl::string_view s);

}  // namespace kla::log

#include "libs/common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kla::log {
namespace {

std::atomic<Format> g_format{Format::kJson};
std::atomic<Level> g_level{Level::kInfo};
ABSL_CONST_INIT absl::Mutex g_mu(absl::kConstInit);  // one line at a time on stderr

absl::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

void AppendValue(std::string* out, const Value& v, bool json) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, absl::string_view> || std::is_same_v<T, std::string>) {
          if (json || x.find_first_of(" \"=") != absl::string_view::npos || x.empty()) {
            absl::StrAppend(out, "\"", JsonEscape(x), "\"");
          } else {
            absl::StrAppend(out, x);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          absl::StrAppend(out, x ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          absl::StrAppend(out, absl::StrFormat("%.3f", x));
        } else {
          absl::StrAppend(out, x);
        }
      },
      v);
}

}  // namespace

void Configure(Format format, Level min_level) {
  g_format = format;
  g_level = min_level;
}

bool ParseFormat(absl::string_view s, Format* out) {
  if (s == "json") {
    *out = Format::kJson;
  } else if (s == "text") {
    *out = Format::kText;
  } else {
    return false;
  }
  return true;
}

bool ParseLevel(absl::string_view s, Level* out) {
  if (s == "debug") {
    *out = Level::kDebug;
  } else if (s == "info") {
    *out = Level::kInfo;
  } else if (s == "warning" || s == "warn") {
    *out = Level::kWarning;
  } else if (s == "error") {
    *out = Level::kError;
  } else {
    return false;
  }
  return true;
}

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields) {
  if (level < g_level.load()) return;
  const bool json = g_format.load() == Format::kJson;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (json) {
    absl::StrAppend(&line, "{\"ts\":\"", ts, "\",\"level\":\"", LevelName(level), "\",\"msg\":\"", JsonEscape(message),
                    "\"");
    for (const auto& f : fields) {
      absl::StrAppend(&line, ",\"", JsonEscape(f.key), "\":");
      AppendValue(&line, f.value, true);
    }
    line += "}\n";
  } else {
    absl::StrAppend(&line, ts, " ", LevelName(level), " ", message);
    for (const auto& f : fields) {
      absl::StrAppend(&line, " ", f.key, "=");
      AppendValue(&line, f.value, false);
    }
    line += "\n";
  }
  absl::MutexLock lock(&g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace kla::log

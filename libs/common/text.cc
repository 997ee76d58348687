#include "libs/common/text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace kla {
namespace {

// Decodes one code point; returns bytes consumed, 0 on invalid input.
int DecodeUtf8(absl::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) -> int {
    return k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80 ? static_cast<unsigned char>(s[k]) & 0x3F
                                                                             : -1;
  };
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if ((b0 & 0xE0) == 0xC0) {
    int c1 = cont(i + 1);
    if (c1 < 0 || b0 < 0xC2) return 0;
    *cp = ((b0 & 0x1Fu) << 6) | static_cast<uint32_t>(c1);
    return 2;
  }
  if ((b0 & 0xF0) == 0xE0) {
    int c1 = cont(i + 1), c2 = cont(i + 2);
    if (c1 < 0 || c2 < 0) return 0;
    *cp = ((b0 & 0x0Fu) << 12) | (static_cast<uint32_t>(c1) << 6) | static_cast<uint32_t>(c2);
    if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
    return 3;
  }
  if ((b0 & 0xF8) == 0xF0) {
    int c1 = cont(i + 1), c2 = cont(i + 2), c3 = cont(i + 3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return 0;
    *cp = ((b0 & 0x07u) << 18) | (static_cast<uint32_t>(c1) << 12) | (static_cast<uint32_t>(c2) << 6) |
          static_cast<uint32_t>(c3);
    if (*cp < 0x10000 || *cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

// Base letter for U+00C0..U+017F, or 0 when there is none.
char BaseLetter(uint32_t cp) {
  // U+00C0..U+00FF; '?' where the character has no base letter (x, /).
  static constexpr absl::string_view kLatin1 =
      "aaaaaaaceeeeiiiidnooooo?ouuuuyts"   // C0..DF (C6 ae, D0 eth, D8 o-slash, DE thorn, DF sharp s)
      "aaaaaaaceeeeiiiidnooooo?ouuuuyty";  // E0..FF
  // U+0100..U+017F: Latin Extended-A, derived from Unicode decompositions
  // with the stroke letters (d-stroke, h-stroke, l-stroke, ...) added.
  static constexpr absl::string_view kExtA =
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
      "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
  static_assert(kLatin1.size() == 64);
  static_assert(kExtA.size() == 128);
  if (cp >= 0xC0 && cp <= 0xFF) {
    char c = kLatin1[cp - 0xC0];
    return c == '?' ? 0 : c;
  }
  if (cp >= 0x100 && cp <= 0x17F) return kExtA[cp - 0x100];
  return 0;
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    int n = DecodeUtf8(s, i, &cp);
    if (n == 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

std::string FoldForSearch(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    int n = DecodeUtf8(s, i, &cp);
    if (n == 0) {  // invalid byte: skip it
      ++i;
      continue;
    }
    i += static_cast<size_t>(n);
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '-' || cp == 0xA0) {
      pending_space = !out.empty();
      continue;
    }
    if (cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == '`') continue;
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (char base = BaseLetter(cp); base != 0) {
      out += base;
    } else {
      out.append(s.data() + (i - static_cast<size_t>(n)), static_cast<size_t>(n));
    }
  }
  return out;
}

std::string FileNameProblem(absl::string_view name) {
  if (name.empty()) return "required";
  if (name.size() > 255) return "at most 255 bytes";
  if (!IsValidUtf8(name)) return "not valid UTF-8";
  if (name == "." || name == "..") return "not a file name";
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c == '/' || c == '\\') return "no folders: no '/' or '\\'";
    if (c < 0x20 || c == 0x7f) return "no control characters";
    // U+0080-U+009F (C1 controls) are C2 80-9F; U+202A-U+202E and
    // U+2066-U+2069 are E2 80 AA-AE and E2 81 A6-A9.
    if (c == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) < 0xa0) {
      return "no control characters";
    }
    if (c == 0xe2 && i + 2 < name.size()) {
      const auto b1 = static_cast<unsigned char>(name[i + 1]);
      const auto b2 = static_cast<unsigned char>(name[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9)) {
        return "no bidirectional text controls";
      }
    }
  }
  if (name.front() == ' ' || name.back() == ' ' || name.back() == '.') return "no space or dot at either end";
  const std::string stem = absl::AsciiStrToUpper(name.substr(0, name.find('.')));
  static const char* const kDevices[] = {"CON", "PRN", "AUX", "NUL"};
  for (const char* d : kDevices) {
    if (stem == d) return "a reserved device name";
  }
  if (stem.size() == 4 && (absl::StartsWith(stem, "COM") || absl::StartsWith(stem, "LPT")) && stem[3] >= '1' &&
      stem[3] <= '9') {
    return "a reserved device name";
  }
  return "";
}

absl::string_view StripUtf8Bom(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  return text;
}

}  // namespace kla

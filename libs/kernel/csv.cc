#include "libs/kernel/csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/text.h"

namespace kla {
namespace {

// A reader over the text, one record at a time.
class CsvReader {
 public:
  CsvReader(absl::string_view text, CsvOptions options) : text_(StripUtf8Bom(text)), options_(options) {}

  absl::StatusOr<std::vector<CsvRecord>> ReadAll() {
    std::vector<CsvRecord> out;
    while (pos_ < text_.size()) {
      const int start = line_;
      if (SkipIfBlankOrComment()) continue;
      CsvRecord record{start, {}};
      absl::Status st = ReadRecord(&record.fields);
      if (!st.ok()) return st;
      out.push_back(std::move(record));
    }
    return out;
  }

 private:
  // A line of only spaces (or a comment): skipped, with its line end.
  bool SkipIfBlankOrComment() {
    const size_t end = std::min(text_.find('\n', pos_), text_.size());
    const absl::string_view line = text_.substr(pos_, end - pos_);
    const bool comment = options_.comments && !line.empty() && line[0] == '#';
    if (!comment && !absl::StripAsciiWhitespace(line).empty()) return false;
    pos_ = end + 1;
    ++line_;
    return true;
  }

  absl::Status ReadRecord(std::vector<std::string>* fields) {
    fields->emplace_back();
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"' && absl::StripAsciiWhitespace(fields->back()).empty()) {
        fields->back().clear();
        absl::Status st = ReadQuoted(&fields->back());
        if (!st.ok()) return st;
      } else if (c == ',') {
        fields->emplace_back();
        ++pos_;
      } else if (c == '\n' || (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        pos_ += c == '\r' ? 2 : 1;
        ++line_;
        return absl::OkStatus();
      } else {
        fields->back() += c;
        ++pos_;
      }
    }
    if (!fields->back().empty() && fields->back().back() == '\r') fields->back().pop_back();  // CR at the very end
    return absl::OkStatus();
  }

  // From an opening quote to just after the closing one; spaces may follow.
  absl::Status ReadQuoted(std::string* field) {
    const int opened = line_;
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) return Bad(opened, "unclosed quote: a quoted field must end with a quote");
      const char c = text_[pos_++];
      if (c == '"' && pos_ < text_.size() && text_[pos_] == '"') {
        *field += '"';
        ++pos_;
      } else if (c == '"') {
        break;
      } else {
        if (c == '\n') ++line_;
        *field += c;
      }
    }
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      return Bad(line_, "text after a closing quote (write a quote inside a quoted field as \"\")");
    }
    return absl::OkStatus();
  }

  static absl::Status Bad(int line, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
  }

  absl::string_view text_;
  CsvOptions options_;
  size_t pos_ = 0;
  int line_ = 1;
};

// "-12", "+62", "82,5": numbers, which a spreadsheet may read as numbers.
bool IsPlainNumber(absl::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  bool digit = false;
  bool separator = false;
  for (char c : s) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if ((c == ',' || c == '.') && digit && !separator) {
      separator = true;
    } else {
      return false;
    }
  }
  return absl::ascii_isdigit(static_cast<unsigned char>(s.back()));
}

}  // namespace

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text, CsvOptions options) {
  return CsvReader(text, options).ReadAll();
}

std::string CsvField(absl::string_view field) {
  const bool formula = !field.empty() && absl::string_view("=+-@\t\r").find(field[0]) != absl::string_view::npos &&
                       !IsPlainNumber(field);
  const std::string text = formula ? absl::StrCat("'", field) : std::string(field);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

}  // namespace kla

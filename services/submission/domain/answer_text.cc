#include "services/submission/domain/answer_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "libs/common/points.h"

namespace kla::submission {

std::string ParseAnswerText(const registry::v1::ItemRule& item, absl::string_view raw, v1::AnswerValue* out) {
  const std::string text(absl::StripAsciiWhitespace(raw));
  switch (item.type()) {
    case registry::v1::ITEM_TYPE_BOOLEAN: {
      const std::string t = absl::AsciiStrToLower(text);
      if (t == "ya" || t == "yes" || t == "true" || t == "1") {
        out->set_boolean(true);
      } else if (t == "tidak" || t == "no" || t == "false" || t == "0") {
        out->set_boolean(false);
      } else {
        return "ya atau tidak / yes or no";
      }
      return "";
    }
    case registry::v1::ITEM_TYPE_CHOICE:
      if (text.empty()) return "id pilihan / an option id";
      out->set_choice(text);  // the option itself is checked against the rulebook by score::CheckAnswerValue
      return "";
    case registry::v1::ITEM_TYPE_PERCENT: {
      // Indonesian decimal comma or a point; two decimals at most.
      int64_t hundredths = 0;
      if (!ParseHundredths(absl::StripSuffix(absl::StripAsciiWhitespace(text), "%"), &hundredths)) {
        return "persen seperti 87,5 / a percentage such as 87.5";
      }
      out->set_percent_hundredths(hundredths);
      return "";
    }
    case registry::v1::ITEM_TYPE_COUNT: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(text, &n)) return "bilangan bulat / a whole number";
      out->set_count(n);
      return "";
    }
    default:
      out->set_text(text);
      return "";
  }
}

std::string AnswerText(const v1::AnswerValue& v) {
  switch (v.kind_case()) {
    case v1::AnswerValue::kBoolean:
      return v.boolean() ? "ya" : "tidak";
    case v1::AnswerValue::kChoice:
      return v.choice();
    case v1::AnswerValue::kPercentHundredths: {
      const int64_t h = v.percent_hundredths();
      return absl::StrFormat("%s%d.%02d", h < 0 ? "-" : "", (h < 0 ? -h : h) / 100, (h < 0 ? -h : h) % 100);
    }
    case v1::AnswerValue::kCount:
      return absl::StrCat(v.count());
    case v1::AnswerValue::kText:
      return v.text();
    default:
      return "";
  }
}

}  // namespace kla::submission

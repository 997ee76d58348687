#include "libs/score/answer_check.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/points.h"
#include "libs/common/text.h"

namespace kla::score {
namespace {

using registry::v1::ItemRule;
using registry::v1::ItemType;

constexpr size_t kMaxText = 4000;

const char* KindName(submission::v1::AnswerValue::KindCase k) {
  switch (k) {
    case submission::v1::AnswerValue::kBoolean:
      return "boolean";
    case submission::v1::AnswerValue::kChoice:
      return "choice";
    case submission::v1::AnswerValue::kPercentHundredths:
      return "percent_hundredths";
    case submission::v1::AnswerValue::kCount:
      return "count";
    case submission::v1::AnswerValue::kText:
      return "text";
    default:
      return "nothing";
  }
}

submission::v1::AnswerValue::KindCase KindFor(ItemType t) {
  switch (t) {
    case registry::v1::ITEM_TYPE_BOOLEAN:
      return submission::v1::AnswerValue::kBoolean;
    case registry::v1::ITEM_TYPE_CHOICE:
      return submission::v1::AnswerValue::kChoice;
    case registry::v1::ITEM_TYPE_PERCENT:
      return submission::v1::AnswerValue::kPercentHundredths;
    case registry::v1::ITEM_TYPE_COUNT:
      return submission::v1::AnswerValue::kCount;
    case registry::v1::ITEM_TYPE_TEXT:
      return submission::v1::AnswerValue::kText;
    default:
      return submission::v1::AnswerValue::KIND_NOT_SET;
  }
}

}  // namespace

void CheckAnswerValue(const ItemRule& item, const submission::v1::AnswerValue& value, const std::string& field,
                      Violations* violations) {
  const auto want = KindFor(item.type());
  if (value.kind_case() != want) {
    violations->Add(field, absl::StrCat("item ", item.id(), " takes a ", KindName(want), " value, not ",
                                        KindName(value.kind_case())));
    return;
  }
  switch (value.kind_case()) {
    case submission::v1::AnswerValue::kPercentHundredths:
      if (value.percent_hundredths() < 0 || value.percent_hundredths() > 10000) {
        violations->Add(field, absl::StrCat("item ", item.id(), ": a percentage is 0 to 100, not ",
                                            FormatPoints(value.percent_hundredths(), false)));
      }
      break;
    case submission::v1::AnswerValue::kCount:
      if (value.count() < 0) {
        violations->Add(field, absl::StrCat("item ", item.id(), ": a count is 0 or more, not ", value.count()));
      }
      break;
    case submission::v1::AnswerValue::kChoice: {
      bool known = false;
      for (const auto& o : item.options()) known |= o.id() == value.choice();
      if (!known) {
        std::string ids;
        for (const auto& o : item.options()) absl::StrAppend(&ids, ids.empty() ? "" : ", ", o.id());
        violations->Add(field, absl::StrCat("item ", item.id(), ": choice \"", value.choice(),
                                            "\" is not one of its options (", ids, ")"));
      }
      break;
    }
    case submission::v1::AnswerValue::kText:
      if (absl::StripAsciiWhitespace(value.text()).empty()) {
        violations->Add(field, absl::StrCat("item ", item.id(), ": the text is empty (clear the item instead)"));
      } else if (value.text().size() > kMaxText || !IsValidUtf8(value.text())) {
        violations->Add(field, absl::StrCat("item ", item.id(), ": at most ", kMaxText, " bytes of UTF-8 text"));
      }
      break;
    default:
      break;
  }
}

}  // namespace kla::score

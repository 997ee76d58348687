#include "libs/rpc/field_limits.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "kla/type/v1/limits.pb.h"
#include "libs/common/errors.h"

namespace kla::rpc {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Well-known types are not ours to annotate: their bounds are set here (and
// stated in limits.proto).
bool IsWellKnown(const Descriptor* type) { return type->file()->package() == "google.protobuf"; }

const type::v1::FieldLimits* NewLimits(int max_items, int max_length) {
  auto* limits = new type::v1::FieldLimits;  // lives as long as the process
  limits->set_max_items(max_items);
  limits->set_max_length(max_length);
  return limits;
}

// Read per field of every request: a reference, no copy.
const type::v1::FieldLimits& LimitsOf(const FieldDescriptor* field) {
  static const type::v1::FieldLimits* const kMask = NewLimits(64, 128);
  static const type::v1::FieldLimits* const kAnyType = NewLimits(0, 256);
  static const type::v1::FieldLimits* const kAnyValue = NewLimits(0, 4 << 20);  // an event between services
  const std::string& type = field->containing_type()->full_name();
  if (type == "google.protobuf.FieldMask") return *kMask;
  if (type == "google.protobuf.Any") return field->name() == "value" ? *kAnyValue : *kAnyType;
  return field->options().GetExtension(type::v1::limits);
}

// Length as the contract counts it: code points for text, bytes for bytes.
size_t LengthOf(const FieldDescriptor* field, const std::string& value) {
  if (field->type() != FieldDescriptor::TYPE_STRING) return value.size();
  size_t n = 0;
  for (unsigned char c : value) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool IsText(const FieldDescriptor* field) { return field->cpp_type() == FieldDescriptor::CPPTYPE_STRING; }

void CheckValue(const FieldDescriptor* field, const std::string& value, int max_length, const std::string& path,
                Violations* out) {
  if (max_length <= 0 || LengthOf(field, value) <= static_cast<size_t>(max_length)) return;
  out->Add(path, absl::StrCat("at most ", max_length,
                              field->type() == FieldDescriptor::TYPE_STRING ? " characters" : " bytes"));
}

void Check(const Message& message, const std::string& prefix, Violations* out);
void CheckMapEntry(const Message& entry, int max_length, const std::string& path, Violations* out);

// A map's bound on length applies to its keys and text values.
void CheckMapEntry(const Message& entry, int max_length, const std::string& path, Violations* out) {
  const Reflection* r = entry.GetReflection();
  for (const FieldDescriptor* part : {entry.GetDescriptor()->map_key(), entry.GetDescriptor()->map_value()}) {
    std::string scratch;
    if (IsText(part)) {
      CheckValue(part, r->GetStringReference(entry, part, &scratch), max_length, path, out);
    } else if (part->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(entry, part)) {
      Check(r->GetMessage(entry, part), path, out);
    }
  }
}

void CheckField(const Message& message, const FieldDescriptor* field, const std::string& path, Violations* out) {
  const Reflection* r = message.GetReflection();
  const type::v1::FieldLimits& limits = LimitsOf(field);
  if (field->is_repeated()) {
    const int n = r->FieldSize(message, field);
    if (limits.max_items() > 0 && n > limits.max_items()) {
      out->Add(path, absl::StrCat("at most ", limits.max_items(), " entries"));
      return;  // each element of an oversized list is not worth reading
    }
    for (int i = 0; i < n; ++i) {
      const std::string at = absl::StrCat(path, "[", i, "]");
      if (field->is_map()) {
        CheckMapEntry(r->GetRepeatedMessage(message, field, i), limits.max_length(), path, out);
      } else if (IsText(field)) {
        std::string scratch;
        CheckValue(field, r->GetRepeatedStringReference(message, field, i, &scratch), limits.max_length(), at, out);
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Check(r->GetRepeatedMessage(message, field, i), at, out);
      }
    }
    return;
  }
  if (IsText(field)) {
    std::string scratch;
    CheckValue(field, r->GetStringReference(message, field, &scratch), limits.max_length(), path, out);
  } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(message, field)) {
    Check(r->GetMessage(message, field), path, out);
  }
}

void Check(const Message& message, const std::string& prefix, Violations* out) {
  std::vector<const FieldDescriptor*> set;
  message.GetReflection()->ListFields(message, &set);
  for (const FieldDescriptor* field : set) {
    CheckField(message, field, prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name()), out);
  }
}

// A map needs a bound on entries, and on length when its key or value is
// text.
bool IsBounded(const FieldDescriptor* field) {
  const type::v1::FieldLimits& limits = LimitsOf(field);
  bool text = IsText(field);
  if (field->is_map()) {
    text = IsText(field->message_type()->map_key()) || IsText(field->message_type()->map_value());
  }
  return (!field->is_repeated() || limits.max_items() > 0) && (!text || limits.max_length() > 0);
}

void Collect(const Descriptor* type, std::set<const Descriptor*>* seen, std::vector<std::string>* out) {
  if (!seen->insert(type).second || IsWellKnown(type)) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if ((field->is_repeated() || IsText(field)) && !IsBounded(field)) out->push_back(field->full_name());
    const Descriptor* inner = field->message_type();
    if (field->is_map()) inner = field->message_type()->map_value()->message_type();
    if (inner != nullptr) Collect(inner, seen, out);
  }
}

}  // namespace

absl::Status CheckFieldLimits(const Message& message) {
  Violations violations;
  Check(message, "", &violations);
  return violations.ToStatus("the request exceeds the bounds of its contract");
}

std::vector<std::string> UnboundedFields(const Descriptor* type) {
  std::set<const Descriptor*> seen;
  std::vector<std::string> out;
  Collect(type, &seen, &out);
  return out;
}

}  // namespace kla::rpc

#include "services/registry/domain/region_import.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"
#include "libs/common/text.h"
#include "libs/kernel/csv.h"

namespace kla::registry {
namespace {

struct CsvFile {
  std::map<std::string, size_t> columns;
  std::vector<std::pair<int, std::vector<std::string>>> rows;  // line number, fields
};

absl::Status LineError(absl::string_view field, int line, absl::string_view what) {
  return InvalidField(field, absl::StrCat("line ", line, ": ", what));
}

absl::StatusOr<CsvFile> ReadCsv(absl::string_view field, absl::string_view text,
                                const std::vector<std::string>& required) {
  if (text.empty()) return InvalidField(field, "required: the file is empty");
  if (!IsValidUtf8(text)) return InvalidField(field, "not valid UTF-8");
  auto records = ParseCsv(text);
  if (!records.ok()) return InvalidField(field, records.status().message());
  CsvFile file;
  bool header = true;
  for (CsvRecord& record : *records) {
    const int line_no = record.line;
    std::vector<std::string>& fields = record.fields;
    if (header) {
      for (size_t i = 0; i < fields.size(); ++i) {
        file.columns[absl::AsciiStrToLower(absl::StripAsciiWhitespace(fields[i]))] = i;
      }
      for (const auto& r : required) {
        if (!file.columns.contains(r)) {
          return LineError(
              field, line_no,
              absl::StrCat("header must name the columns ", absl::StrJoin(required, ","), "; \"", r, "\" is missing"));
        }
      }
      header = false;
      continue;
    }
    if (fields.size() != file.columns.size()) {
      return LineError(field, line_no,
                       absl::StrCat("expected ", file.columns.size(), " fields, found ", fields.size()));
    }
    for (auto& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
    file.rows.emplace_back(line_no, std::move(fields));
  }
  if (header) return InvalidField(field, "no header line");
  return file;
}

}  // namespace

absl::StatusOr<std::vector<Region>> ParseRegionFiles(absl::string_view provinces_csv, absl::string_view regencies_csv) {
  constexpr absl::string_view kProv = "provinces_csv";
  constexpr absl::string_view kReg = "regencies_csv";
  auto provinces = ReadCsv(kProv, provinces_csv, {"code", "name"});
  if (!provinces.ok()) return provinces.status();
  auto regencies = ReadCsv(kReg, regencies_csv, {"code", "province_code", "name"});
  if (!regencies.ok()) return regencies.status();

  std::vector<Region> out;
  std::set<std::string> seen;
  {
    const size_t c_code = provinces->columns["code"], c_name = provinces->columns["name"];
    for (const auto& [line, f] : provinces->rows) {
      const std::string& code = f[c_code];
      if (!IsProvinceCode(code)) {
        return LineError(kProv, line, absl::StrCat("\"", code, "\" is not a province code (two digits, e.g. 35)"));
      }
      if (f[c_name].empty()) return LineError(kProv, line, "name is empty");
      if (!seen.insert(code).second) return LineError(kProv, line, absl::StrCat("code ", code, " appears twice"));
      out.push_back(
          {.code = code, .name = DisplayName(f[c_name]), .level = RegionLevel::kProvince, .province_code = code});
    }
  }
  if (out.empty()) return InvalidField(kProv, "no provinces in the file");
  const size_t province_count = out.size();
  {
    const size_t c_code = regencies->columns["code"], c_prov = regencies->columns["province_code"],
                 c_name = regencies->columns["name"];
    for (const auto& [line, f] : regencies->rows) {
      const std::string& code = f[c_code];
      const std::string& prov = f[c_prov];
      if (!IsRegencyCode(code)) {
        return LineError(kReg, line, absl::StrCat("\"", code, "\" is not a kabupaten/kota code (NN.NN, e.g. 35.72)"));
      }
      if (code.substr(0, 2) != prov) {
        return LineError(kReg, line, absl::StrCat("code ", code, " does not belong to province ", prov));
      }
      if (!seen.contains(prov) || prov.size() != 2) {
        return LineError(kReg, line, absl::StrCat("province ", prov, " is not in provinces.csv"));
      }
      const RegionLevel level = LevelFromName(f[c_name]);
      if (level == RegionLevel::kUnspecified) {
        return LineError(kReg, line,
                         absl::StrCat("name \"", f[c_name], "\" starts with neither \"Kabupaten\" nor \"Kota\""));
      }
      if (!seen.insert(code).second) return LineError(kReg, line, absl::StrCat("code ", code, " appears twice"));
      out.push_back({.code = code, .name = DisplayName(f[c_name]), .level = level, .province_code = prov});
    }
  }
  if (out.size() == province_count) return InvalidField(kReg, "no kabupaten/kota in the file");
  return out;
}

}  // namespace kla::registry

#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"

namespace kla::klactl {

enum class Lang { kId, kEn };

// Column-aligned text table, as klactl prints for people.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// proto3 JSON mapping, pretty-printed, for scripts and other systems.
std::string ToJson(const google::protobuf::Message& message);

// A JSON object of string fields (empty ones left out), for commands whose
// result is not a proto message.
std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& fields);

// Display width of UTF-8 text (code points; region names are Latin script).
size_t DisplayWidth(const std::string& s);

}  // namespace kla::klactl

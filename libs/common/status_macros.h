#pragma once

// Debian's Abseil (20220623) has no status macros; these are the usual two.

#define KLA_STATUS_CONCAT_INNER_(a, b) a##b
#define KLA_STATUS_CONCAT_(a, b) KLA_STATUS_CONCAT_INNER_(a, b)

// Identifiers, not expressions, are pasted here, so arguments cannot be
// parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)

// Returns the status from the enclosing function if it is not OK.
#define KLA_RETURN_IF_ERROR(expr) KLA_RETURN_IF_ERROR_IMPL_(KLA_STATUS_CONCAT_(kla_status_, __LINE__), expr)

#define KLA_RETURN_IF_ERROR_IMPL_(var, expr) \
  do {                                       \
    ::absl::Status var = (expr);             \
    if (!var.ok()) return var;               \
  } while (false)

// `KLA_ASSIGN_OR_RETURN(auto x, Foo());` assigns the value of a StatusOr or
// returns its status from the enclosing function.
#define KLA_ASSIGN_OR_RETURN(lhs, expr) \
  KLA_ASSIGN_OR_RETURN_IMPL_(KLA_STATUS_CONCAT_(kla_statusor_, __LINE__), lhs, expr)

#define KLA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)    \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

// NOLINTEND(bugprone-macro-parentheses)

#pragma once
// ScreenFilter: the screener's --where expression, parsed once and evaluated per row.
//
// Grammar (keywords are case-insensitive; column names are exact):
//   expr       := and_expr ( "or" and_expr )*
//   and_expr   := primary ( "and" primary )*          -- "and" binds tighter than "or"
//   primary    := "(" expr ")" | comparison
//   comparison := operand op operand                    -- at least one side a column
//   operand    := COLUMN | NUMBER                       -- NUMBER: 30, -1.5, .5, 2e6
//   op         := "<" | "<=" | ">" | ">=" | "==" | "!="
// A comparison with a NaN side (an indicator without enough bars, an empty window) is false,
// "!=" included, so a row is never selected on a value it does not have.
//
// A bad expression is an InvalidArgument whose message says what is wrong and where (1-based
// character position), then shows the expression and a caret line under the offending token:
//   unknown column 'rsi15' at position 1 (columns: close, rsi14)
//     rsi15 < 30
//     ^^^^^
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "timeframe/result.h"

namespace ck {

class ScreenFilter {
 public:
  // `columns` are the names of the row's values, in the order matches() receives them.
  static Result<ScreenFilter> parse(std::string_view text, const std::vector<std::string>& columns);

  // True when the row satisfies the expression. REQUIRES: row.size() == columns.size().
  bool matches(std::span<const double> row) const;
  // The expression fully parenthesized, e.g. "(rsi14 < 30 and close > sma20)".
  std::string to_string() const;

 private:
  enum class Op : uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  struct Operand {
    int column = -1;  // index into the row, or -1 for `number`
    double number = 0;
    std::string text;
  };
  struct Node {
    enum class Kind : uint8_t { kOr, kAnd, kCompare } kind;
    int left = -1, right = -1;  // children of kOr / kAnd
    Op op = Op::kLess;
    Operand lhs, rhs;
  };
  class Parser;

  bool eval(int node, std::span<const double> row) const;
  std::string describe(int node) const;

  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace ck

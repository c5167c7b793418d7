#include "engine/screen_filter.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "timeframe/candle_csv.h"

namespace ck {
namespace {

struct Token {
  enum class Kind : uint8_t { kColumn, kNumber, kOp, kAnd, kOr, kOpen, kClose, kEnd } kind;
  size_t pos = 0;  // byte offset into the expression
  size_t len = 0;
  std::string_view text;
};

constexpr int kMaxDepth = 64;  // parentheses deep enough for any real screen; bounds the recursion

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

}  // namespace

class ScreenFilter::Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& columns, ScreenFilter& out)
      : text_(text), columns_(columns), out_(out) {}

  Status run() {
    CK_RETURN_IF_ERROR(tokenize());
    if (tokens_.front().kind == Token::Kind::kEnd) return error(tokens_.front(), "empty expression");
    CK_ASSIGN_OR_RETURN(out_.root_, parse_or(0));
    const Token& t = peek();
    if (t.kind == Token::Kind::kClose) return error(t, "')' without a matching '('");
    if (t.kind != Token::Kind::kEnd) return error(t, "expected 'and', 'or' or the end of the expression, got " + quote(t));
    return Status::ok();
  }

 private:
  // "<what> at position P\n  <expression>\n  <caret line>"
  Status error(const Token& at, const std::string& what, const std::string& hint = "") const {
    std::string line(text_);
    for (char& c : line) {
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    std::string caret(at.pos, ' ');
    caret.append(std::max<size_t>(1, at.len), '^');
    return Status::invalid_argument(what + " at position " + std::to_string(at.pos + 1) + (hint.empty() ? "" : " ") +
                                    hint + "\n  " + line + "\n  " + caret);
  }
  static std::string quote(const Token& t) {
    return t.kind == Token::Kind::kEnd ? std::string("the end of the expression") : "'" + std::string(t.text) + "'";
  }
  std::string column_list() const {
    std::string s;
    for (const auto& c : columns_) s += (s.empty() ? "" : ", ") + c;
    return s;
  }

  Status tokenize() {
    size_t i = 0;
    const std::string_view s = text_;
    while (true) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i == s.size()) break;
      const size_t start = i;
      const char c = s[i];
      Token::Kind kind;
      if (ident_start(c)) {
        while (i < s.size() && ident_char(s[i])) ++i;
        std::string_view word = s.substr(start, i - start);
        kind = iequals(word, "and") ? Token::Kind::kAnd : iequals(word, "or") ? Token::Kind::kOr : Token::Kind::kColumn;
      } else if (digit(c) || c == '.' || ((c == '-' || c == '+') && i + 1 < s.size() && (digit(s[i + 1]) || s[i + 1] == '.'))) {
        ++i;
        // Greedy: digits, a point, an exponent; from_chars decides below whether it is a number.
        while (i < s.size() && (digit(s[i]) || s[i] == '.' || ident_char(s[i]) ||
                                ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
          ++i;
        }
        kind = Token::Kind::kNumber;
      } else if (c == '(' || c == ')') {
        ++i;
        kind = c == '(' ? Token::Kind::kOpen : Token::Kind::kClose;
      } else if (c == '<' || c == '>' || c == '=' || c == '!') {
        ++i;
        if (i < s.size() && s[i] == '=') ++i;
        kind = Token::Kind::kOp;
        std::string_view op = s.substr(start, i - start);
        if (op == "=" || op == "!") {
          Token bad{kind, start, i - start, op};
          return error(bad, op == "=" ? "'=' is not a comparison (use ==)" : "'!' is not a comparison (use !=)");
        }
      } else if ((c == '&' || c == '|') && i + 1 < s.size() && s[i + 1] == c) {
        Token bad{Token::Kind::kOp, start, 2, s.substr(start, 2)};
        return error(bad, c == '&' ? "'&&' is not supported (use and)" : "'||' is not supported (use or)");
      } else {
        Token bad{Token::Kind::kOp, start, 1, s.substr(start, 1)};
        return error(bad, "unexpected character '" + std::string(1, c) + "'");
      }
      tokens_.push_back(Token{kind, start, i - start, s.substr(start, i - start)});
    }
    tokens_.push_back(Token{Token::Kind::kEnd, s.size(), 1, {}});
    return Status::ok();
  }

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_++]; }

  int add(Node n) {
    out_.nodes_.push_back(std::move(n));
    return int(out_.nodes_.size() - 1);
  }

  Result<int> parse_or(int depth) {
    CK_ASSIGN_OR_RETURN(int left, parse_and(depth));
    while (peek().kind == Token::Kind::kOr) {
      take();
      CK_ASSIGN_OR_RETURN(int right, parse_and(depth));
      left = add(Node{Node::Kind::kOr, left, right, Op::kLess, {}, {}});
    }
    return left;
  }

  Result<int> parse_and(int depth) {
    CK_ASSIGN_OR_RETURN(int left, parse_primary(depth));
    while (peek().kind == Token::Kind::kAnd) {
      take();
      CK_ASSIGN_OR_RETURN(int right, parse_primary(depth));
      left = add(Node{Node::Kind::kAnd, left, right, Op::kLess, {}, {}});
    }
    return left;
  }

  Result<int> parse_primary(int depth) {
    if (peek().kind == Token::Kind::kOpen) {
      const Token& open = take();
      if (depth >= kMaxDepth) return error(open, "parentheses nested deeper than " + std::to_string(kMaxDepth));
      CK_ASSIGN_OR_RETURN(int inner, parse_or(depth + 1));
      const Token& t = peek();
      if (t.kind != Token::Kind::kClose) {
        if (t.kind == Token::Kind::kEnd) return error(open, "this '(' is never closed");
        return error(t, "expected 'and', 'or' or ')', got " + quote(t));
      }
      take();
      return inner;
    }
    return parse_comparison();
  }

  Result<Operand> parse_operand() {
    const Token& t = take();
    if (t.kind == Token::Kind::kColumn) {
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i] == t.text) return Operand{int(i), 0, std::string(t.text)};
      }
      return error(t, "unknown column '" + std::string(t.text) + "'", "(columns: " + column_list() + ")");
    }
    if (t.kind == Token::Kind::kNumber) {
      std::string_view digits = t.text.front() == '+' ? t.text.substr(1) : t.text;
      double v = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec != std::errc() || p != digits.data() + digits.size() || !std::isfinite(v)) {
        return error(t, "'" + std::string(t.text) + "' is not a number");
      }
      return Operand{-1, v, std::string(t.text)};
    }
    return error(t, "expected a column or a number, got " + quote(t));
  }

  Result<int> parse_comparison() {
    CK_ASSIGN_OR_RETURN(Operand lhs, parse_operand());
    const Token& op_token = take();
    if (op_token.kind != Token::Kind::kOp) {
      return error(op_token, "expected a comparison (<, <=, >, >=, ==, !=) after '" + lhs.text + "', got " +
                                 quote(op_token));
    }
    const std::string_view o = op_token.text;
    Op op = o == "<" ? Op::kLess : o == "<=" ? Op::kLessEqual : o == ">" ? Op::kGreater
          : o == ">=" ? Op::kGreaterEqual : o == "==" ? Op::kEqual : Op::kNotEqual;
    const Token& rhs_token = peek();
    CK_ASSIGN_OR_RETURN(Operand rhs, parse_operand());
    if (lhs.column < 0 && rhs.column < 0) {
      return error(rhs_token, "compares two numbers", "(one side must be a column: " + column_list() + ")");
    }
    Node n{Node::Kind::kCompare, -1, -1, op, std::move(lhs), std::move(rhs)};
    return add(std::move(n));
  }

  std::string_view text_;
  const std::vector<std::string>& columns_;
  ScreenFilter& out_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
};

Result<ScreenFilter> ScreenFilter::parse(std::string_view text, const std::vector<std::string>& columns) {
  ScreenFilter f;
  Parser p(text, columns, f);
  CK_RETURN_IF_ERROR(p.run());
  return f;
}

bool ScreenFilter::matches(std::span<const double> row) const { return root_ >= 0 && eval(root_, row); }

bool ScreenFilter::eval(int index, std::span<const double> row) const {
  const Node& n = nodes_[size_t(index)];
  switch (n.kind) {
    case Node::Kind::kOr:
      return eval(n.left, row) || eval(n.right, row);
    case Node::Kind::kAnd:
      return eval(n.left, row) && eval(n.right, row);
    case Node::Kind::kCompare:
      break;
  }
  const double a = n.lhs.column >= 0 ? row[size_t(n.lhs.column)] : n.lhs.number;
  const double b = n.rhs.column >= 0 ? row[size_t(n.rhs.column)] : n.rhs.number;
  if (std::isnan(a) || std::isnan(b)) return false;
  switch (n.op) {
    case Op::kLess: return a < b;
    case Op::kLessEqual: return a <= b;
    case Op::kGreater: return a > b;
    case Op::kGreaterEqual: return a >= b;
    case Op::kEqual: return a == b;
    case Op::kNotEqual: return a != b;
  }
  return false;
}

std::string ScreenFilter::to_string() const { return root_ < 0 ? std::string() : describe(root_); }

std::string ScreenFilter::describe(int index) const {
  const Node& n = nodes_[size_t(index)];
  if (n.kind != Node::Kind::kCompare) {
    return "(" + describe(n.left) + (n.kind == Node::Kind::kAnd ? " and " : " or ") + describe(n.right) + ")";
  }
  static constexpr const char* kOps[] = {"<", "<=", ">", ">=", "==", "!="};
  auto operand = [](const Operand& o) {
    if (o.column >= 0) return o.text;
    std::string s;
    append_number(s, o.number);
    return s;
  };
  return operand(n.lhs) + " " + kOps[int(n.op)] + " " + operand(n.rhs);
}

}  // namespace ck

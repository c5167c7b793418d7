#include "engine/screen_filter.h"

#include <gtest/gtest.h>

#include <limits>

namespace ck {
namespace {

const std::vector<std::string> kColumns = {"close", "sma20", "rsi14", "volume", "bb_upper20_2.5"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ScreenFilter parse_ok(std::string_view text) {
  auto f = ScreenFilter::parse(text, kColumns);
  EXPECT_TRUE(f) << text << ": " << f.status().message();
  return f ? std::move(f).value() : ScreenFilter{};
}

// The error message of a bad expression.
std::string error_of(std::string_view text) {
  auto f = ScreenFilter::parse(text, kColumns);
  EXPECT_FALSE(f) << text << " parsed as " << (f ? f->to_string() : "");
  if (f) return "";
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  return f.status().message();
}

bool matches(std::string_view text, std::vector<double> row) { return parse_ok(text).matches(row); }

TEST(ScreenFilterTest, AndBindsTighterThanOr) {
  EXPECT_EQ(parse_ok("close < 1 or sma20 < 2 and rsi14 < 3").to_string(),
            "(close < 1 or (sma20 < 2 and rsi14 < 3))");
  EXPECT_EQ(parse_ok("close < 1 and sma20 < 2 or rsi14 < 3").to_string(),
            "((close < 1 and sma20 < 2) or rsi14 < 3)");
  // close=0 satisfies the left of "or"; with "and" binding looser the answer would be false.
  EXPECT_TRUE(matches("close < 1 or sma20 < 2 and rsi14 < 3", {0, 5, 5, 0, 0}));
}

TEST(ScreenFilterTest, ParenthesesGroup) {
  EXPECT_EQ(parse_ok("(close < 1 or sma20 < 2) and rsi14 < 3").to_string(),
            "((close < 1 or sma20 < 2) and rsi14 < 3)");
  EXPECT_FALSE(matches("(close < 1 or sma20 < 2) and rsi14 < 3", {0, 5, 5, 0, 0}));
  EXPECT_TRUE(matches("((((close < 1))))", {0, 0, 0, 0, 0}));
}

TEST(ScreenFilterTest, EveryOperatorBetweenColumnsAndNumbers) {
  const std::vector<double> row = {10, 20, 30, 0, 0};
  EXPECT_TRUE(matches("close < 11", row));
  EXPECT_FALSE(matches("close < 10", row));
  EXPECT_TRUE(matches("close <= 10", row));
  EXPECT_TRUE(matches("close > 9.5", row));
  EXPECT_FALSE(matches("close > 10", row));
  EXPECT_TRUE(matches("close >= 10", row));
  EXPECT_TRUE(matches("close == 10", row));
  EXPECT_TRUE(matches("close != 11", row));
  EXPECT_FALSE(matches("close != 10", row));
  EXPECT_TRUE(matches("close < sma20", row));
  EXPECT_TRUE(matches("rsi14 > sma20", row));
  EXPECT_TRUE(matches("15 > close", row));  // a number on the left
  EXPECT_TRUE(matches("close>9 and sma20<=20", row));  // no spaces needed
}

TEST(ScreenFilterTest, NumbersInTheUsualForms) {
  const std::vector<double> row = {-1.5, 0.5, 2e6, 3, 0};
  EXPECT_TRUE(matches("close == -1.5", row));
  EXPECT_TRUE(matches("sma20 == .5", row));
  EXPECT_TRUE(matches("rsi14 == 2e6 and rsi14 == 2E+6 and rsi14 == 2000000.0", row));
  EXPECT_TRUE(matches("volume == +3", row));
  EXPECT_TRUE(matches("close > -2e-1 or close < -1", row));
}

TEST(ScreenFilterTest, ComparisonsWithNaNAreFalse) {
  const std::vector<double> row = {10, kNaN, 30, 0, 0};
  EXPECT_FALSE(matches("sma20 < 1", row));
  EXPECT_FALSE(matches("sma20 >= 1", row));
  EXPECT_FALSE(matches("sma20 != 1", row));
  EXPECT_FALSE(matches("close > sma20", row));
  EXPECT_TRUE(matches("sma20 > 1 or close == 10", row));
}

TEST(ScreenFilterTest, KeywordsAreCaseInsensitive) {
  EXPECT_TRUE(matches("close == 1 AND sma20 == 2 Or rsi14 == 9", {1, 2, 3, 0, 0}));
}

TEST(ScreenFilterTest, ColumnNamesMayHoldAPoint) {
  EXPECT_TRUE(matches("bb_upper20_2.5 > close", {1, 0, 0, 0, 2}));
}

TEST(ScreenFilterTest, UnknownColumnIsPointedAtWithCarets) {
  EXPECT_EQ(error_of("rsi14 < 30 and clsoe > sma20"),
            "unknown column 'clsoe' at position 16 (columns: close, sma20, rsi14, volume, bb_upper20_2.5)\n"
            "  rsi14 < 30 and clsoe > sma20\n"
            "                 ^^^^^");
}

TEST(ScreenFilterTest, SingleEqualsSuggestsDoubleEquals) {
  EXPECT_EQ(error_of("close = 3"),
            "'=' is not a comparison (use ==) at position 7\n"
            "  close = 3\n"
            "        ^");
}

TEST(ScreenFilterTest, UnclosedParenthesisPointsAtIt) {
  EXPECT_EQ(error_of("close < 1 and (sma20 < 2 or rsi14 < 3"),
            "this '(' is never closed at position 15\n"
            "  close < 1 and (sma20 < 2 or rsi14 < 3\n"
            "                ^");
}

TEST(ScreenFilterTest, StrayClosingParenthesisPointsAtIt) {
  EXPECT_EQ(error_of("close < 1)"),
            "')' without a matching '(' at position 10\n"
            "  close < 1)\n"
            "           ^");
}

TEST(ScreenFilterTest, MissingOperandPointsAtTheEnd) {
  EXPECT_EQ(error_of("close <"),
            "expected a column or a number, got the end of the expression at position 8\n"
            "  close <\n"
            "         ^");
}

TEST(ScreenFilterTest, MissingOperatorPointsAtTheNextToken) {
  EXPECT_EQ(error_of("close 30"),
            "expected a comparison (<, <=, >, >=, ==, !=) after 'close', got '30' at position 7\n"
            "  close 30\n"
            "        ^^");
}

TEST(ScreenFilterTest, ChainedComparisonIsRejected) {
  std::string e = error_of("1 < close < 3");
  EXPECT_EQ(e.substr(0, e.find('\n')), "expected 'and', 'or' or the end of the expression, got '<' at position 11");
}

TEST(ScreenFilterTest, DanglingKeywordIsRejected) {
  std::string e = error_of("close < 1 and");
  EXPECT_EQ(e.substr(0, e.find('\n')),
            "expected a column or a number, got the end of the expression at position 14");
  e = error_of("and close < 1");
  EXPECT_EQ(e.substr(0, e.find('\n')), "expected a column or a number, got 'and' at position 1");
}

TEST(ScreenFilterTest, TwoNumbersAreRejected) {
  std::string e = error_of("1 < 2");
  EXPECT_EQ(e.substr(0, e.find('\n')),
            "compares two numbers at position 5 (one side must be a column: close, sma20, rsi14, volume, bb_upper20_2.5)");
}

TEST(ScreenFilterTest, MalformedNumberIsRejected) {
  EXPECT_EQ(error_of("close > 1e"),
            "'1e' is not a number at position 9\n"
            "  close > 1e\n"
            "          ^^");
  EXPECT_NE(error_of("close > 1.2.3"), "");
  EXPECT_NE(error_of("close > 30and sma20 < 1"), "");
}

TEST(ScreenFilterTest, OtherSymbolsAreRejected) {
  EXPECT_EQ(error_of("close > 1 && sma20 < 2").substr(0, 44), "'&&' is not supported (use and) at position ");
  EXPECT_EQ(error_of("close > 1 || sma20 < 2").substr(0, 43), "'||' is not supported (use or) at position ");
  EXPECT_EQ(error_of("close ! 1").substr(0, 40), "'!' is not a comparison (use !=) at posi");
  EXPECT_EQ(error_of("close > $1"),
            "unexpected character '$' at position 9\n"
            "  close > $1\n"
            "          ^");
}

TEST(ScreenFilterTest, EmptyExpressionIsRejected) {
  EXPECT_EQ(error_of("").substr(0, 16), "empty expression");
  EXPECT_EQ(error_of("   ").substr(0, 16), "empty expression");
  EXPECT_EQ(error_of("()").substr(0, 46), "expected a column or a number, got ')' at posi");
}

TEST(ScreenFilterTest, DeepNestingIsRejectedNotOverflowed) {
  std::string deep(10000, '(');
  EXPECT_NE(error_of(deep + "close < 1" + std::string(10000, ')')).find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace ck

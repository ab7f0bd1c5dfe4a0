// A recursive-descent parser for DynamoDB condition expressions, and the
// canonical form of requests built on it.
#include <algorithm>
#include <cctype>

#include "awsperf/query/expression.h"

namespace awsperf::query {

namespace dd = awsperf::dynamodb;
using Kind = ConditionNode::Kind;

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A path segment written back in QueryBuilder's path syntax.
std::string path_segment(std::string_view name) {
  if (name.find_first_of(".[`") != std::string_view::npos) return "`" + std::string(name) + "`";
  return std::string(name);
}

struct Token {
  enum Type {
    kEnd,
    kWord,
    kName,
    kValue,
    kOp,
    kLParen,
    kRParen,
    kComma,
    kDot,
    kLBracket,
    kRBracket,
    kNumber
  } type = kEnd;
  std::string text;
  std::size_t offset = 0;
};

class Parser {
 public:
  Parser(std::string_view text, const dd::ExpressionNames& names,
         const dd::ExpressionValues& values)
      : text_(text), names_(names), values_(values) {}

  Status tokenize() {
    std::size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.offset = i;
      if (c == '(' || c == ')' || c == ',' || c == '.' || c == '[' || c == ']') {
        t.type = c == '('   ? Token::kLParen
                 : c == ')' ? Token::kRParen
                 : c == ',' ? Token::kComma
                 : c == '.' ? Token::kDot
                 : c == '[' ? Token::kLBracket
                            : Token::kRBracket;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '<' || c == '>') {
        t.type = Token::kOp;
        if (i + 1 < text_.size() && (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
          t.text = std::string(text_.substr(i, 2));
          i += 2;
        } else {
          t.text = std::string(1, c);
          ++i;
        }
      } else if (c == '#' || c == ':' || std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t start = i;
        if (c == '#' || c == ':') ++i;
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_')) {
          ++i;
        }
        t.text = std::string(text_.substr(start, i - start));
        if (c == '#')
          t.type = Token::kName;
        else if (c == ':')
          t.type = Token::kValue;
        else if (std::isdigit(static_cast<unsigned char>(c)))
          t.type = Token::kNumber;
        else
          t.type = Token::kWord;
        if ((c == '#' || c == ':') && t.text.size() == 1) return error(start, "empty placeholder");
      } else {
        return error(i, std::string("unexpected character '") + c + "'");
      }
      tokens_.push_back(std::move(t));
    }
    tokens_.push_back(Token{.type = Token::kEnd, .offset = text_.size()});
    return {};
  }

  Result<Condition> parse_expression() {
    auto c = parse_or();
    if (!c) return c;
    if (peek().type != Token::kEnd) return error(peek().offset, "unexpected '" + peek().text + "'");
    return c;
  }

  Result<std::vector<std::string>> parse_projection() {
    std::vector<std::string> out;
    while (true) {
      auto p = parse_path();
      if (!p) return std::unexpected(p.error());
      out.push_back(std::move(*p));
      if (peek().type == Token::kComma) {
        ++pos_;
        continue;
      }
      if (peek().type != Token::kEnd) return error(peek().offset, "expected ',' or the end");
      return out;
    }
  }

 private:
  std::unexpected<Error> error(std::size_t offset, std::string why) const {
    return make_error(ErrorCode::kInvalidArgument, "cannot parse expression '" +
                                                       std::string(text_) + "' at offset " +
                                                       std::to_string(offset) + ": " + why);
  }
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool keyword(std::string_view kw, std::size_t ahead = 0) const {
    return peek(ahead).type == Token::kWord && upper(peek(ahead).text) == kw;
  }
  Status expect(Token::Type type, std::string_view what) {
    if (peek().type != type) return error(peek().offset, "expected " + std::string(what));
    ++pos_;
    return {};
  }

  Result<Condition> parse_or() {
    auto left = parse_and();
    if (!left) return left;
    Condition out = *left;
    while (keyword("OR")) {
      ++pos_;
      auto right = parse_and();
      if (!right) return right;
      out = out || *right;
    }
    return out;
  }
  Result<Condition> parse_and() {
    auto left = parse_not();
    if (!left) return left;
    Condition out = *left;
    while (keyword("AND")) {
      ++pos_;
      auto right = parse_not();
      if (!right) return right;
      out = out && *right;
    }
    return out;
  }
  Result<Condition> parse_not() {
    if (keyword("NOT")) {
      ++pos_;
      auto inner = parse_not();
      if (!inner) return inner;
      return !*inner;
    }
    return parse_primary();
  }

  Result<std::string> parse_path() {
    std::string out;
    auto segment = [&]() -> Status {
      const Token& t = peek();
      if (t.type == Token::kName) {
        auto it = names_.find(t.text);
        if (it == names_.end()) return error(t.offset, "unknown name placeholder " + t.text);
        out += path_segment(it->second);
      } else if (t.type == Token::kWord) {
        if (is_reserved_word(t.text)) {
          return error(t.offset, "'" + t.text + "' is a reserved word; use a #name placeholder");
        }
        out += t.text;
      } else {
        return error(t.offset, "expected an attribute name");
      }
      ++pos_;
      return {};
    };
    if (auto s = segment(); !s) return std::unexpected(s.error());
    while (true) {
      if (peek().type == Token::kDot) {
        ++pos_;
        out += '.';
        if (auto s = segment(); !s) return std::unexpected(s.error());
      } else if (peek().type == Token::kLBracket) {
        ++pos_;
        if (peek().type != Token::kNumber) return error(peek().offset, "expected a list index");
        out += "[" + peek().text + "]";
        ++pos_;
        if (auto s = expect(Token::kRBracket, "']'"); !s) return std::unexpected(s.error());
      } else {
        return out;
      }
    }
  }

  Result<dd::AttributeValue> parse_value() {
    const Token& t = peek();
    if (t.type != Token::kValue) return error(t.offset, "expected a :value placeholder");
    auto it = values_.find(t.text);
    if (it == values_.end()) return error(t.offset, "unknown value placeholder " + t.text);
    ++pos_;
    return it->second;
  }

  std::optional<CompareOp> compare_op() const {
    if (peek().type != Token::kOp) return std::nullopt;
    const std::string& s = peek().text;
    if (s == "=") return CompareOp::kEq;
    if (s == "<>") return CompareOp::kNe;
    if (s == "<") return CompareOp::kLt;
    if (s == "<=") return CompareOp::kLe;
    if (s == ">") return CompareOp::kGt;
    if (s == ">=") return CompareOp::kGe;
    return std::nullopt;
  }

  static CompareOp flip(CompareOp op) {
    switch (op) {
      case CompareOp::kLt:
        return CompareOp::kGt;
      case CompareOp::kLe:
        return CompareOp::kGe;
      case CompareOp::kGt:
        return CompareOp::kLt;
      case CompareOp::kGe:
        return CompareOp::kLe;
      default:
        return op;
    }
  }

  Result<Condition> parse_primary() {
    if (peek().type == Token::kLParen) {
      ++pos_;
      auto inner = parse_or();
      if (!inner) return inner;
      if (auto s = expect(Token::kRParen, "')'"); !s) return std::unexpected(s.error());
      return inner;
    }
    // Functions.
    if (peek().type == Token::kWord && peek(1).type == Token::kLParen) {
      std::string fn = peek().text;
      std::size_t at = peek().offset;
      pos_ += 2;
      auto path = parse_path();
      if (!path) return std::unexpected(path.error());
      if (fn == "attribute_exists" || fn == "attribute_not_exists") {
        if (auto s = expect(Token::kRParen, "')'"); !s) return std::unexpected(s.error());
        return fn == "attribute_exists" ? attribute_exists(*path) : attribute_not_exists(*path);
      }
      if (fn == "size") {
        if (auto s = expect(Token::kRParen, "')'"); !s) return std::unexpected(s.error());
        auto op = compare_op();
        if (!op) return error(peek().offset, "expected a comparison after size()");
        ++pos_;
        auto v = parse_value();
        if (!v) return std::unexpected(v.error());
        auto n = std::make_shared<ConditionNode>();
        n->kind = Kind::kCompare;
        n->op = *op;
        n->size_of = true;
        n->path = *path;
        n->values.push_back(std::move(*v));
        return Condition(std::move(n));
      }
      if (fn == "begins_with" || fn == "contains" || fn == "attribute_type") {
        if (auto s = expect(Token::kComma, "','"); !s) return std::unexpected(s.error());
        auto v = parse_value();
        if (!v) return std::unexpected(v.error());
        if (auto s = expect(Token::kRParen, "')'"); !s) return std::unexpected(s.error());
        if (fn == "begins_with") return begins_with(*path, std::move(*v));
        if (fn == "contains") return contains(*path, std::move(*v));
        const std::string* t = v->as_string();
        return attribute_type(*path, t ? *t : std::string());
      }
      return error(at, "unknown function '" + fn + "'");
    }
    // value <op> path: normalised to path <flipped op> value.
    if (peek().type == Token::kValue) {
      auto v = parse_value();
      if (!v) return std::unexpected(v.error());
      auto op = compare_op();
      if (!op) return error(peek().offset, "expected a comparison after a value");
      ++pos_;
      auto path = parse_path();
      if (!path) return std::unexpected(path.error());
      return compare(*path, flip(*op), std::move(*v));
    }
    auto path = parse_path();
    if (!path) return std::unexpected(path.error());
    if (keyword("BETWEEN")) {
      ++pos_;
      auto lo = parse_value();
      if (!lo) return std::unexpected(lo.error());
      if (!keyword("AND")) return error(peek().offset, "expected AND in BETWEEN");
      ++pos_;
      auto hi = parse_value();
      if (!hi) return std::unexpected(hi.error());
      return between(*path, std::move(*lo), std::move(*hi));
    }
    if (keyword("IN")) {
      ++pos_;
      if (auto s = expect(Token::kLParen, "'(' after IN"); !s) return std::unexpected(s.error());
      std::vector<dd::AttributeValue> vs;
      while (true) {
        auto v = parse_value();
        if (!v) return std::unexpected(v.error());
        vs.push_back(std::move(*v));
        if (peek().type == Token::kComma) {
          ++pos_;
          continue;
        }
        break;
      }
      if (auto s = expect(Token::kRParen, "')'"); !s) return std::unexpected(s.error());
      return in(*path, std::move(vs));
    }
    auto op = compare_op();
    if (!op) return error(peek().offset, "expected a comparison, BETWEEN or IN");
    ++pos_;
    if (peek().type != Token::kValue) {
      return error(peek().offset, "comparisons between two attributes are not supported here");
    }
    auto v = parse_value();
    if (!v) return std::unexpected(v.error());
    return compare(*path, *op, std::move(*v));
  }

  std::string_view text_;
  const dd::ExpressionNames& names_;
  const dd::ExpressionValues& values_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

std::string value_text(const dd::AttributeValue& v) {
  auto j = dd::to_json(v);
  return j ? *j : std::string("<unencodable>");
}

void flatten_into(const ConditionNode* n, Kind kind, std::vector<const ConditionNode*>& out) {
  if (n->kind == kind) {
    for (const auto& c : n->children) flatten_into(c.get(), kind, out);
  } else {
    out.push_back(n);
  }
}

std::string canonical_node(const ConditionNode* n) {
  switch (n->kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::vector<const ConditionNode*> parts;
      flatten_into(n, n->kind, parts);
      std::vector<std::string> texts;
      for (const auto* p : parts) texts.push_back(canonical_node(p));
      std::sort(texts.begin(), texts.end());
      texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
      if (texts.size() == 1) return texts[0];
      std::string out = "(";
      for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i) out += n->kind == Kind::kAnd ? " AND " : " OR ";
        out += texts[i];
      }
      return out + ")";
    }
    case Kind::kNot:
      return "NOT " + canonical_node(n->children.at(0).get());
    case Kind::kCompare:
      return (n->size_of ? "size(" + n->path + ")" : n->path) + " " +
             std::string(compare_op_text(n->op)) + " " + value_text(n->values[0]);
    case Kind::kBetween:
      return n->path + " BETWEEN " + value_text(n->values[0]) + " AND " + value_text(n->values[1]);
    case Kind::kIn: {
      std::vector<std::string> vs;
      for (const auto& v : n->values) vs.push_back(value_text(v));
      std::sort(vs.begin(), vs.end());
      vs.erase(std::unique(vs.begin(), vs.end()), vs.end());
      std::string out = n->path + " IN (";
      for (std::size_t i = 0; i < vs.size(); ++i) out += (i ? ", " : "") + vs[i];
      return out + ")";
    }
    case Kind::kBeginsWith:
      return "begins_with(" + n->path + ", " + value_text(n->values[0]) + ")";
    case Kind::kContains:
      return "contains(" + n->path + ", " + value_text(n->values[0]) + ")";
    case Kind::kExists:
      return "attribute_exists(" + n->path + ")";
    case Kind::kNotExists:
      return "attribute_not_exists(" + n->path + ")";
    case Kind::kType:
      return "attribute_type(" + n->path + ", " + value_text(n->values[0]) + ")";
  }
  return "?";
}

Result<std::string> canonical_expression(const std::optional<std::string>& expr,
                                         const dd::ExpressionNames& names,
                                         const dd::ExpressionValues& values) {
  if (!expr || expr->empty()) return std::string();
  auto c = parse_condition(*expr, names, values);
  if (!c) return std::unexpected(c.error());
  return canonical_text(*c);
}

Result<std::string> canonical_projection(const std::optional<std::string>& expr,
                                         const dd::ExpressionNames& names) {
  if (!expr || expr->empty()) return std::string("*");
  auto p = parse_projection(*expr, names);
  if (!p) return std::unexpected(p.error());
  std::sort(p->begin(), p->end());
  p->erase(std::unique(p->begin(), p->end()), p->end());
  std::string out;
  for (const auto& s : *p) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Result<Condition> parse_condition(std::string_view expression, const dd::ExpressionNames& names,
                                  const dd::ExpressionValues& values) {
  if (auto s = check_expression_size("expression", expression); !s) {
    return std::unexpected(s.error());
  }
  Parser p(expression, names, values);
  if (auto s = p.tokenize(); !s) return std::unexpected(s.error());
  return p.parse_expression();
}

Result<std::vector<std::string>> parse_projection(std::string_view expression,
                                                  const dd::ExpressionNames& names) {
  static const dd::ExpressionValues kNoValues;
  Parser p(expression, names, kNoValues);
  if (auto s = p.tokenize(); !s) return std::unexpected(s.error());
  return p.parse_projection();
}

std::string canonical_text(const Condition& condition) {
  return condition.empty() ? std::string() : canonical_node(condition.node());
}

Result<std::string> canonical_key(const dd::QueryRequest& r) {
  auto k = canonical_expression(r.key_condition_expression, r.expression_attribute_names,
                                r.expression_attribute_values);
  if (!k) return k;
  auto f = canonical_expression(r.filter_expression, r.expression_attribute_names,
                                r.expression_attribute_values);
  if (!f) return f;
  auto p = canonical_projection(r.projection_expression, r.expression_attribute_names);
  if (!p) return p;
  std::string out = "Query\n" + r.table_name + "\n" + r.index_name.value_or("") + "\nK " + *k +
                    "\nF " + *f + "\nP " + *p;
  out += "\nC " + std::to_string(r.consistent_read.value_or(false));
  out += "\nD " + std::to_string(r.scan_index_forward.value_or(true));
  out += "\nL " + (r.limit ? std::to_string(*r.limit) : std::string("-"));
  out += "\nS " + (r.select ? std::to_string(static_cast<int>(*r.select)) : std::string("-"));
  out += "\nX " + (r.exclusive_start_key ? key_string(*r.exclusive_start_key) : std::string("-"));
  return out;
}

Result<std::string> canonical_key(const dd::ScanRequest& r) {
  auto f = canonical_expression(r.filter_expression, r.expression_attribute_names,
                                r.expression_attribute_values);
  if (!f) return f;
  auto p = canonical_projection(r.projection_expression, r.expression_attribute_names);
  if (!p) return p;
  std::string out =
      "Scan\n" + r.table_name + "\n" + r.index_name.value_or("") + "\nF " + *f + "\nP " + *p;
  out += "\nC " + std::to_string(r.consistent_read.value_or(false));
  out += "\nL " + (r.limit ? std::to_string(*r.limit) : std::string("-"));
  out += "\nS " + (r.select ? std::to_string(static_cast<int>(*r.select)) : std::string("-"));
  out += "\nG " + (r.segment ? std::to_string(*r.segment) + "/" +
                                   std::to_string(r.total_segments.value_or(0))
                             : std::string("-"));
  out += "\nX " + (r.exclusive_start_key ? key_string(*r.exclusive_start_key) : std::string("-"));
  return out;
}

Result<std::string> canonical_key(const dd::GetItemRequest& r) {
  auto p = canonical_projection(r.projection_expression, r.expression_attribute_names);
  if (!p) return p;
  return "GetItem\n" + r.table_name + "\n" + key_string(r.key) + "\nP " + *p + "\nC " +
         std::to_string(r.consistent_read.value_or(false));
}

}  // namespace awsperf::query

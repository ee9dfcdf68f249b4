// interviewkit function-call harness for C++ (generated next to the candidate's files).
//
// Calls Solution::<entry point> once per test in $IK_TESTS, from index $IK_START, and writes
// one JSON object per line to the inherited descriptor $IK_RESULT_FD. Expected values never
// reach this process: it only reports what the method returned; the host compares.
//
// Layout: the runtime (JSON, conversions, capture) comes first, then the candidate's file is
// #included (LeetCode style: the whole standard library and `using namespace std` are
// available), then a small generated glue that names the entry point. Code after the include
// avoids short identifiers and `int` so that common competitive-programming macros
// (`#define S second`, `#define int long long`) do not break it.

#include <bits/stdc++.h>
#include <cxxabi.h>
#include <unistd.h>

namespace ik_harness {

// ------------------------------------------------------------------ JSON values

struct Json {
    enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
    bool boolean = false;
    std::string text;  // number source text, or string contents (UTF-8)
    std::vector<Json> items;
    std::vector<std::pair<std::string, Json>> members;
};

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    Json parse() {
        Json v = value(0);
        ws();
        if (pos_ != s_.size()) fail("trailing data");
        return v;
    }

private:
    const std::string& s_;
    std::size_t pos_ = 0;

    [[noreturn]] void fail(const char* what) {
        throw ParseError("invalid JSON at offset " + std::to_string(pos_) + ": " + what);
    }
    void ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool starts(const char* word) { return s_.compare(pos_, std::strlen(word), word) == 0; }

    Json value(int depth) {
        if (depth > 10000) fail("nested too deeply");
        ws();
        if (pos_ >= s_.size()) fail("unexpected end");
        Json v;
        char c = s_[pos_];
        if (c == '"') {
            v.kind = Json::String;
            v.text = string();
        } else if (c == '[') {
            v.kind = Json::Array;
            ++pos_;
            ws();
            if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return v; }
            for (;;) {
                v.items.push_back(value(depth + 1));
                ws();
                if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
                if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return v; }
                fail("expected ',' or ']'");
            }
        } else if (c == '{') {
            v.kind = Json::Object;
            ++pos_;
            ws();
            if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return v; }
            for (;;) {
                ws();
                if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a key");
                std::string key = string();
                ws();
                if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':'");
                ++pos_;
                v.members.emplace_back(std::move(key), value(depth + 1));
                ws();
                if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
                if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return v; }
                fail("expected ',' or '}'");
            }
        } else if (starts("true")) {
            v.kind = Json::Bool; v.boolean = true; pos_ += 4;
        } else if (starts("false")) {
            v.kind = Json::Bool; pos_ += 5;
        } else if (starts("null")) {
            pos_ += 4;
        } else {
            v.kind = Json::Number;
            v.text = number();
        }
        return v;
    }

    std::size_t digits() {
        std::size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        return pos_ - start;
    }

    std::string number() {
        std::size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        std::size_t n = digits();
        if (n == 0 || (n > 1 && s_[pos_ - n] == '0')) fail("bad number");
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (digits() == 0) fail("bad number");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (digits() == 0) fail("bad number");
        }
        return s_.substr(start, pos_ - start);
    }

    unsigned hex4() {
        if (pos_ + 4 > s_.size()) fail("bad \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
            else fail("bad \\u escape");
        }
        return v;
    }

    static void utf8(std::string& out, unsigned cp) {
        // Lone surrogates are kept as 3-byte sequences (WTF-8) so they round-trip.
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    std::string string() {
        ++pos_;
        std::string out;
        for (;;) {
            if (pos_ >= s_.size()) fail("unterminated string");
            char c = s_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') { out += c; continue; }
            if (pos_ >= s_.size()) fail("bad escape");
            char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
                        std::size_t save = pos_;
                        pos_ += 2;
                        unsigned low = hex4();
                        if (low >= 0xDC00 && low < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            pos_ = save;
                        }
                    }
                    utf8(out, cp);
                    break;
                }
                default: fail("bad escape");
            }
        }
    }
};

// ------------------------------------------------------------------ JSON writing

struct ValueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline void write_hex(std::string& out, unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", v & 0xFFFFu);
    out += buf;
}

// Valid UTF-8 is copied; lone surrogates (WTF-8) become \uXXXX; invalid bytes become U+FFFD.
inline void write_string(std::string& out, const std::string& s) {
    out += '"';
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                default:
                    if (c < 0x20) write_hex(out, c);
                    else out += char(c);
            }
            ++i;
            continue;
        }
        std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (c > 0xF4) len = 0;
        bool ok = len > 0 && i + len <= n;
        unsigned cp = 0;
        if (ok) {
            cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
            for (std::size_t k = 1; k < len; ++k) {
                unsigned char cc = static_cast<unsigned char>(s[i + k]);
                if ((cc & 0xC0) != 0x80) { ok = false; break; }
                cp = (cp << 6) | (cc & 0x3F);
            }
        }
        if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))) ok = false;
        if (!ok) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (cp >= 0xD800 && cp < 0xE000) write_hex(out, cp);
        else out.append(s, i, len);
        i += len;
    }
    out += '"';
}

inline void write_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        throw ValueError(std::string("return value contains ") + (std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf") +
                         ", which JSON cannot represent");
    }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d);
    std::string text(buf, res.ptr);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    out += text;
}

inline std::string demangle(const char* name) {
    int status = 0;
    char* real = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string result = status == 0 && real ? real : name;
    std::free(real);
    return result;
}

template <class T, class = void> struct is_iterable : std::false_type {};
template <class T>
struct is_iterable<T, std::void_t<decltype(std::begin(std::declval<const T&>())), decltype(std::end(std::declval<const T&>()))>>
    : std::true_type {};

template <class T, class = void> struct has_less : std::false_type {};
template <class T>
struct has_less<T, std::void_t<decltype(std::declval<const T&>() < std::declval<const T&>())>> : std::true_type {};

template <class T> struct is_pair : std::false_type {};
template <class A, class B> struct is_pair<std::pair<A, B>> : std::true_type {};

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

template <class T> struct is_unordered : std::false_type {};
template <class... A> struct is_unordered<std::unordered_set<A...>> : std::true_type {};
template <class... A> struct is_unordered<std::unordered_multiset<A...>> : std::true_type {};

template <class T> struct is_string_map : std::false_type {};
template <class V, class... A> struct is_string_map<std::map<std::string, V, A...>> : std::true_type {};
template <class V, class... A> struct is_string_map<std::unordered_map<std::string, V, A...>> : std::true_type {};

// ------------------------------------------------------------------ ListNode and TreeNode

// LeetCode's node shapes, recognised by their members so that the built-in definitions and a
// candidate's own (LeetCode's header comment, uncommented) are handled alike.
template <class N, class = void> struct is_list_node : std::false_type {};
template <class N>
struct is_list_node<N, std::void_t<decltype(std::declval<N&>().val), decltype(std::declval<N&>().next)>>
    : std::bool_constant<std::is_same_v<std::remove_cv_t<decltype(std::declval<N&>().next)>, N*>> {};

template <class N, class = void> struct is_tree_node : std::false_type {};
template <class N>
struct is_tree_node<N, std::void_t<decltype(std::declval<N&>().val), decltype(std::declval<N&>().left),
                                   decltype(std::declval<N&>().right)>>
    : std::bool_constant<std::is_same_v<std::remove_cv_t<decltype(std::declval<N&>().left)>, N*> &&
                         std::is_same_v<std::remove_cv_t<decltype(std::declval<N&>().right)>, N*>> {};

template <class T> struct node_of { using type = void; };
template <class N> struct node_of<N*> { using type = std::remove_cv_t<N>; };
template <class T> constexpr bool is_list_pointer = is_list_node<typename node_of<T>::type>::value;
template <class T> constexpr bool is_tree_pointer = !is_list_pointer<T> && is_tree_node<typename node_of<T>::type>::value;

// Most nodes a returned list or tree may have: a bound on memory, not on correctness.
constexpr std::size_t max_nodes = 1000000;

template <class N>
void write_list(std::string& out, const N* head) {
    std::unordered_set<const void*> seen;
    out += '[';
    for (const N* node = head; node != nullptr; node = node->next) {
        if (!seen.insert(node).second) {
            throw ValueError("the returned ListNode list has a cycle: the node with val " + std::to_string(node->val) +
                             " (position " + std::to_string(seen.size() + 1) + ") is reached a second time");
        }
        if (seen.size() > max_nodes) {
            throw ValueError("the returned ListNode list has more than " + std::to_string(max_nodes) + " nodes");
        }
        if (seen.size() > 1) out += ',';
        out += std::to_string(node->val);
    }
    out += ']';
}

template <class N>
void write_tree(std::string& out, const N* root) {
    std::unordered_set<const void*> seen;
    std::vector<const N*> queue;
    if (root != nullptr) {
        seen.insert(root);
        queue.push_back(root);
    }
    std::vector<std::string> order;
    for (std::size_t i = 0; i < queue.size(); ++i) {
        const N* node = queue[i];
        if (node == nullptr) {
            order.emplace_back("null");
            continue;
        }
        order.push_back(std::to_string(node->val));
        for (const N* child : {static_cast<const N*>(node->left), static_cast<const N*>(node->right)}) {
            if (child != nullptr && !seen.insert(child).second) {
                throw ValueError("the returned TreeNode is not a tree: the node with val " + std::to_string(child->val) +
                                 " is reached twice (a cycle, or a subtree shared by two parents)");
            }
            if (seen.size() > max_nodes) {
                throw ValueError("the returned TreeNode tree has more than " + std::to_string(max_nodes) + " nodes");
            }
            queue.push_back(child);
        }
    }
    while (!order.empty() && order.back() == "null") order.pop_back();
    out += '[';
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (i) out += ',';
        out += order[i];
    }
    out += ']';
}

// The return value as JSON; numbers in a `double` position are written as floats.
template <class T>
void write_value(std::string& out, const T& v, bool as_double) {
    if constexpr (is_list_pointer<T>) {
        write_list(out, v);
    } else if constexpr (is_tree_pointer<T>) {
        write_tree(out, v);
    } else if constexpr (std::is_same_v<T, bool>) {
        out += v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, char>) {
        write_string(out, std::string(1, v));
    } else if constexpr (std::is_integral_v<T>) {
        if (as_double) write_double(out, static_cast<double>(v));
        else out += std::to_string(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        write_double(out, static_cast<double>(v));
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
        write_string(out, std::string(v));
    } else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
        if (v == nullptr) out += "null";
        else write_string(out, std::string(v));
    } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
        out += "null";
    } else if constexpr (is_optional<T>::value) {
        if (v) write_value(out, *v, as_double);
        else out += "null";
    } else if constexpr (is_pair<T>::value) {
        out += '[';
        write_value(out, v.first, as_double);
        out += ',';
        write_value(out, v.second, as_double);
        out += ']';
    } else if constexpr (is_string_map<T>::value) {
        out += '{';
        bool first = true;
        for (const auto& entry : v) {
            if (!first) out += ',';
            first = false;
            write_string(out, entry.first);
            out += ':';
            write_value(out, entry.second, false);
        }
        out += '}';
    } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
        out += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            out += v[i] ? "true" : "false";
        }
        out += ']';
    } else if constexpr (is_unordered<T>::value) {
        using Elem = typename T::value_type;
        if constexpr (has_less<Elem>::value) {
            std::vector<Elem> sorted(v.begin(), v.end());
            std::sort(sorted.begin(), sorted.end());
            write_value(out, sorted, as_double);
        } else {
            throw ValueError("return value of type " + demangle(typeid(T).name()) +
                             " cannot be converted to JSON: its elements cannot be sorted");
        }
    } else if constexpr (is_iterable<T>::value) {
        out += '[';
        bool first = true;
        for (const auto& item : v) {
            if (!first) out += ',';
            first = false;
            write_value(out, item, as_double);
        }
        out += ']';
    } else {
        throw ValueError("return value of type " + demangle(typeid(T).name()) + " cannot be converted to JSON");
    }
}

// ------------------------------------------------------------------ arguments

struct ConversionError : std::runtime_error {
    std::string where;
    std::string detail;
    ConversionError(std::string w, std::string d) : std::runtime_error(w + ": " + d), where(std::move(w)), detail(std::move(d)) {}
};

inline std::string kind_of(const Json& v) {
    switch (v.kind) {
        case Json::Null: return "null";
        case Json::Bool: return "boolean";
        case Json::Number: return "number " + v.text;
        case Json::String: return "string";
        case Json::Array: return "array";
        default: return "object";
    }
}

inline bool integral_text(const std::string& t) { return t.find_first_of(".eE") == std::string::npos; }

template <class T> struct From;

template <> struct From<long long> {
    static long long get(const Json& v, const std::string& where, const char* type = "long") {
        if (v.kind != Json::Number || !integral_text(v.text)) {
            throw ConversionError(where, std::string("expected ") + type + ", got " + kind_of(v));
        }
        long long out = 0;
        const char* first = v.text.data();
        const char* last = first + v.text.size();
        auto res = std::from_chars(first, last, out);
        if (res.ec != std::errc() || res.ptr != last) throw ConversionError(where, v.text + " does not fit in " + type);
        return out;
    }
};

template <> struct From<int> {
    static int get(const Json& v, const std::string& where) {
        long long out = From<long long>::get(v, where, "int");
        if (out < std::numeric_limits<int>::min() || out > std::numeric_limits<int>::max()) {
            throw ConversionError(where, v.text + " does not fit in int");
        }
        return static_cast<int>(out);
    }
};

template <> struct From<double> {
    static double get(const Json& v, const std::string& where) {
        if (v.kind != Json::Number) throw ConversionError(where, "expected double, got " + kind_of(v));
        double out = 0;
        const char* first = v.text.data();
        const char* last = first + v.text.size();
        auto res = std::from_chars(first, last, out);
        if (res.ec == std::errc::result_out_of_range) out = std::strtod(v.text.c_str(), nullptr);
        else if (res.ec != std::errc() || res.ptr != last) throw ConversionError(where, "bad number " + v.text);
        if (!std::isfinite(out)) throw ConversionError(where, v.text + " is out of range for double");
        return out;
    }
};

template <> struct From<bool> {
    static bool get(const Json& v, const std::string& where) {
        if (v.kind != Json::Bool) throw ConversionError(where, "expected bool, got " + kind_of(v));
        return v.boolean;
    }
};

template <> struct From<char> {
    static char get(const Json& v, const std::string& where) {
        if (v.kind != Json::String || v.text.size() != 1 || static_cast<unsigned char>(v.text[0]) > 127) {
            std::string got = kind_of(v);
            if (v.kind == Json::String) {
                got = "the string ";
                write_string(got, v.text.size() > 20 ? v.text.substr(0, 20) + "..." : v.text);
            }
            throw ConversionError(where, "expected char (a one-character ASCII string), got " + got);
        }
        return v.text[0];
    }
};

template <class N> N* new_node(signed value) {
    N* node;
    if constexpr (std::is_default_constructible_v<N>) node = new N();
    else node = new N(value);
    node->val = value;
    return node;
}

// LeetCode's JSON forms: a list is the array of its values, a tree its level order with null
// for a missing child; [] is null. Nodes are never freed: a test's input lives for the run.
template <class N> struct From<N*> {
    static_assert(is_list_node<N>::value || is_tree_node<N>::value, "not a ListNode or TreeNode");
    static constexpr const char* label = is_list_node<N>::value ? "ListNode" : "TreeNode";

    static N* get(const Json& v, const std::string& where) {
        if (v.kind != Json::Array) {
            throw ConversionError(where, std::string("expected ") + label + " (a JSON array" +
                                             (is_list_node<N>::value ? " of its values" : " in level order") +
                                             ", [] for null), got " + kind_of(v));
        }
        if constexpr (is_list_node<N>::value) {
            N* head = nullptr;
            for (std::size_t i = v.items.size(); i-- > 0;) {
                N* node = new_node<N>(From<signed>::get(v.items[i], where + "[" + std::to_string(i) + "]"));
                node->next = head;
                head = node;
            }
            return head;
        } else {
            const auto& items = v.items;
            auto at = [&](std::size_t i) { return where + "[" + std::to_string(i) + "]"; };
            auto make = [&](std::size_t i) -> N* {
                if (items[i].kind == Json::Null) return nullptr;
                N* node = new_node<N>(From<signed>::get(items[i], at(i)));
                node->left = nullptr;
                node->right = nullptr;
                return node;
            };
            if (items.empty()) return nullptr;
            N* root = make(0);
            if (root == nullptr) {
                throw ConversionError(at(0), "a tree's level order cannot start with null (use [] for an empty tree)");
            }
            std::deque<N*> open{root};
            std::size_t i = 1;
            while (i < items.size()) {
                if (open.empty()) {
                    for (std::size_t j = i; j < items.size(); ++j) {
                        if (items[j].kind != Json::Null) {
                            throw ConversionError(at(j), "this value has no parent: the level order has more values "
                                                         "than the tree has places for");
                        }
                    }
                    break;
                }
                N* parent = open.front();
                open.pop_front();
                N* left = make(i++);
                parent->left = left;
                if (left) open.push_back(left);
                if (i < items.size()) {
                    N* right = make(i++);
                    parent->right = right;
                    if (right) open.push_back(right);
                }
            }
            return root;
        }
    }
};

template <> struct From<std::string> {
    static std::string get(const Json& v, const std::string& where) {
        if (v.kind != Json::String) throw ConversionError(where, "expected string, got " + kind_of(v));
        return v.text;
    }
};

template <class T> struct type_label;
template <> struct type_label<int> { static std::string get() { return "int"; } };
template <> struct type_label<long long> { static std::string get() { return "long"; } };
template <> struct type_label<double> { static std::string get() { return "double"; } };
template <> struct type_label<bool> { static std::string get() { return "bool"; } };
template <> struct type_label<std::string> { static std::string get() { return "string"; } };
template <> struct type_label<char> { static std::string get() { return "char"; } };
template <class N> struct type_label<N*> { static std::string get() { return From<N*>::label; } };
template <class T> struct type_label<std::vector<T>> {
    static std::string get() { return type_label<T>::get() + "[]"; }
};

template <class T> struct From<std::vector<T>> {
    static std::vector<T> get(const Json& v, const std::string& where) {
        if (v.kind != Json::Array) {
            throw ConversionError(where, "expected " + type_label<std::vector<T>>::get() + ", got " + kind_of(v));
        }
        std::vector<T> out;
        out.reserve(v.items.size());
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            out.push_back(From<T>::get(v.items[i], where + "[" + std::to_string(i) + "]"));
        }
        return out;
    }
};

// ------------------------------------------------------------------ stdout capture

// Keeps the first `limit` bytes written to std::cout, drops the rest.
class CaptureBuf : public std::streambuf {
public:
    explicit CaptureBuf(std::size_t limit) : limit_(limit) { setp(buf_, buf_ + sizeof buf_); }

    std::string take() {
        drain();
        std::string out;
        out.swap(data_);
        if (truncated_) {
            std::size_t n = out.size();
            for (std::size_t back = 1; back <= std::min<std::size_t>(4, n); ++back) {
                unsigned char b = static_cast<unsigned char>(out[n - back]);
                if ((b & 0xC0) == 0x80) continue;
                std::size_t need = b >> 5 == 0x6 ? 2 : b >> 4 == 0xE ? 3 : b >> 3 == 0x1E ? 4 : 1;
                if (need > back) out.erase(out.end() - static_cast<std::ptrdiff_t>(back), out.end());
                break;
            }
        }
        truncated_ = false;
        return out;
    }

protected:
    int_type overflow(int_type ch) override {
        drain();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override {
        drain();
        return 0;
    }

private:
    void drain() {
        std::size_t n = static_cast<std::size_t>(pptr() - pbase());
        std::size_t room = data_.size() < limit_ ? limit_ - data_.size() : 0;
        if (n > room) truncated_ = true;
        data_.append(pbase(), std::min(n, room));
        setp(buf_, buf_ + sizeof buf_);
    }

    char buf_[4096];
    std::string data_;
    std::size_t limit_;
    bool truncated_ = false;
};

// ------------------------------------------------------------------ results

struct Outcome {
    bool ok = false;
    std::string actual;
    std::string kind = "runtime_error";
    std::string error;
    std::string stdout_text;
    double time_ms = 0;
};

inline Outcome failure(std::string message) {
    Outcome o;
    o.error = std::move(message);
    return o;
}

inline void write_all(int fd, const std::string& line) {
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            std::perror("interviewkit harness: writing results");
            std::_Exit(4);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

inline std::string result_line(std::size_t index, const Outcome& o) {
    std::string line = "{\"event\":\"result\",\"index\":" + std::to_string(index);
    if (o.ok) {
        line += ",\"ok\":true,\"actual\":" + o.actual;
    } else {
        line += ",\"ok\":false,\"kind\":";
        write_string(line, o.kind);
        line += ",\"error\":";
        write_string(line, o.error);
    }
    line += ",\"stdout\":";
    write_string(line, o.stdout_text);
    char buf[64];
    std::snprintf(buf, sizeof buf, ",\"time_ms\":%.3f}\n", o.time_ms);
    line += buf;
    return line;
}

inline std::string describe_current_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return demangle(typeid(e).name()) + ": " + e.what();
    } catch (const char* message) {
        return std::string("const char*: ") + (message ? message : "(null)");
    } catch (const std::string& message) {
        return "std::string: " + message;
    } catch (...) {
        std::type_info* type = abi::__cxa_current_exception_type();
        return "uncaught exception of type " + (type ? demangle(type->name()) : std::string("unknown"));
    }
}

template <class T, class = void> struct is_complete : std::false_type {};
template <class T> struct is_complete<T, std::void_t<decltype(sizeof(T))>> : std::true_type {};

template <class... T> struct type_list {};

// A scalar argument that converts to the candidate's parameter type only without loss: the
// signature's own type, or a wider one (long long for int). A narrower parameter (int for a
// long, int for a double, bool for an int) makes the call ill-formed, so the method is
// reported as not callable instead of being called with a silently cut value.
template <class T, class U, class = void> struct widens : std::false_type {};
template <class T, class U>
struct widens<T, U, std::void_t<decltype(U{std::declval<T&>()})>> : std::bool_constant<std::is_arithmetic_v<U>> {};

template <class T> struct exact {
    T value;
    explicit exact(T v) : value(v) {}
    operator T&() { return value; }
    template <class U, std::enable_if_t<!std::is_same_v<std::remove_cv_t<U>, T> && widens<T, U>::value, int> = 0>
    operator U() {
        return U{value};
    }
    template <class U, std::enable_if_t<!std::is_same_v<std::remove_cv_t<U>, T> && !widens<T, U>::value, int> = 0>
    operator U() = delete;
};

template <class T> struct argument { using type = T; };
template <> struct argument<signed> { using type = exact<signed>; };
template <> struct argument<long long> { using type = exact<long long>; };
template <> struct argument<double> { using type = exact<double>; };
template <> struct argument<bool> { using type = exact<bool>; };
template <> struct argument<char> { using type = exact<char>; };
template <class T> using argument_t = typename argument<T>::type;

}  // namespace ik_harness

class Solution;

using namespace std;

// @ik-generated-begin
// (the generator puts the candidate's #include and the entry-point glue here)
#include <string>
struct ik_entry_call {
    template <class IkSol, class... IkArgs>
    auto operator()(IkSol& ik_sol, IkArgs&... ik_args) const -> decltype(ik_sol.solve(ik_args...)) {
        return ik_sol.solve(ik_args...);
    }
};
using ik_param_types = ik_harness::type_list<>;
static const char* const IK_ENTRY_FILE = "solution.cpp";
static const char* const IK_ENTRY_POINT = "solve";
static const char* const IK_PARAM_NAMES[] = {""};
static const char* const IK_PARAM_TYPES[] = {""};
static const char* const IK_RETURN_TYPE = "int";
static const char* const IK_CALL_TYPES = "";
// @ik-generated-end

namespace ik_harness_glue {

template <class IkSol, class... IkParam, std::size_t... IkIndex>
ik_harness::Outcome ik_invoke(const std::vector<ik_harness::Json>& ik_args, ik_harness::CaptureBuf& ik_capture,
                              std::index_sequence<IkIndex...>) {
    constexpr std::size_t ik_count = sizeof...(IkParam);
    if (ik_args.size() != ik_count) {
        std::string ik_names;
        for (std::size_t ik_i = 0; ik_i < ik_count; ++ik_i) ik_names += (ik_i ? ", " : "") + std::string(IK_PARAM_NAMES[ik_i]);
        return ik_harness::failure("the test provides " + std::to_string(ik_args.size()) + " argument(s) but the signature declares " +
                       std::to_string(ik_count) + " parameter(s) (" + ik_names + ")");
    }
    if constexpr (!ik_harness::is_complete<IkSol>::value) {
        return ik_harness::failure(std::string("entry point '") + IK_ENTRY_POINT + "' not found: class Solution is not defined in " +
                       IK_ENTRY_FILE);
    } else if constexpr (std::is_invocable_v<ik_entry_call, IkSol&, IkParam&...> &&
                         !std::is_invocable_v<ik_entry_call, IkSol&, ik_harness::argument_t<IkParam>&...>) {
        return ik_harness::failure(std::string("method ") + IK_ENTRY_POINT + " in " + IK_ENTRY_FILE +
                       " declares a parameter narrower than the signature's (" + IK_CALL_TYPES +
                       "): its values would be silently cut (an int cannot hold every long, nor a bool every int); "
                       "declare the parameters with the signature's types");
    } else if constexpr (!std::is_invocable_v<ik_entry_call, IkSol&, IkParam&...>) {
        return ik_harness::failure(std::string("entry point '") + IK_ENTRY_POINT + "' not found: class Solution in " + IK_ENTRY_FILE +
                       " has no public method " + IK_ENTRY_POINT + " callable with (" +
                       IK_CALL_TYPES + ")");
    } else if constexpr (!std::is_default_constructible_v<IkSol>) {
        return ik_harness::failure("class Solution needs a public constructor without parameters");
    } else {
        std::optional<std::tuple<ik_harness::argument_t<IkParam>...>> ik_values;
        try {
            ik_values.emplace(ik_harness::argument_t<IkParam>(ik_harness::From<IkParam>::get(ik_args[IkIndex], IK_PARAM_NAMES[IkIndex]))...);
        } catch (const ik_harness::ConversionError& ik_error) {
            std::size_t ik_which = 0;
            for (std::size_t ik_i = 0; ik_i < ik_count; ++ik_i) {
                std::string ik_name = IK_PARAM_NAMES[ik_i];
                if (ik_error.where.compare(0, ik_name.size(), ik_name) == 0 &&
                    (ik_error.where.size() == ik_name.size() || ik_error.where[ik_name.size()] == '[')) {
                    ik_which = ik_i;
                }
            }
            std::string ik_name = IK_PARAM_NAMES[ik_which];
            std::string ik_at = ik_error.where == ik_name ? "" : " at " + ik_error.where;
            return ik_harness::failure("parameter '" + ik_name + "' (" + IK_PARAM_TYPES[ik_which] + ")" + ik_at + ": " + ik_error.detail);
        } catch (const std::bad_alloc&) {
            ik_harness::Outcome ik_out = ik_harness::failure("std::bad_alloc while converting the arguments");
            ik_out.kind = "memory_limit_exceeded";
            return ik_out;
        }
        ik_harness::Outcome ik_out;
        ik_capture.take();
        std::cout.clear();
        const bool ik_as_double = std::string(IK_RETURN_TYPE).find("double") == 0;
        auto ik_started = std::chrono::steady_clock::now();
        auto ik_elapsed = [&] {
            return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ik_started).count();
        };
        try {
            auto ik_sol = std::make_unique<IkSol>();
            using IkResult = std::invoke_result_t<ik_entry_call, IkSol&, ik_harness::argument_t<IkParam>&...>;
            if constexpr (std::is_void_v<IkResult>) {
                ik_entry_call{}(*ik_sol, std::get<IkIndex>(*ik_values)...);
                ik_out.time_ms = ik_elapsed();
                ik_out.actual = "null";
            } else {
                auto&& ik_result = ik_entry_call{}(*ik_sol, std::get<IkIndex>(*ik_values)...);
                ik_out.time_ms = ik_elapsed();
                using IkPlain = std::remove_cv_t<std::remove_reference_t<decltype(ik_result)>>;
                try {
                    std::string ik_text;
                    ik_harness::write_value<IkPlain>(ik_text, ik_result, ik_as_double);
                    ik_out.actual = std::move(ik_text);
                } catch (const ik_harness::ValueError& ik_error) {
                    ik_out.error = ik_error.what();
                    std::cout.flush();
                    ik_out.stdout_text = ik_capture.take();
                    return ik_out;
                }
            }
            ik_out.ok = true;
        } catch (const std::bad_alloc&) {
            ik_out.time_ms = ik_elapsed();
            ik_out.kind = "memory_limit_exceeded";
            ik_out.error = ik_harness::describe_current_exception();
        } catch (...) {
            ik_out.time_ms = ik_elapsed();
            ik_out.error = ik_harness::describe_current_exception();
        }
        std::cout.flush();
        ik_out.stdout_text = ik_capture.take();
        return ik_out;
    }
}

template <class IkSol, class... IkParam>
ik_harness::Outcome ik_run_one(const std::vector<ik_harness::Json>& ik_args, ik_harness::CaptureBuf& ik_capture,
                               ik_harness::type_list<IkParam...>) {
    return ik_invoke<IkSol, IkParam...>(ik_args, ik_capture, std::index_sequence_for<IkParam...>{});
}

inline long long ik_env_number(const char* ik_name, long long ik_fallback) {
    const char* ik_value = std::getenv(ik_name);
    if (ik_value == nullptr || *ik_value == '\0') return ik_fallback;
    return std::atoll(ik_value);
}

}  // namespace ik_harness_glue

signed main() {
    const char* ik_tests_path = std::getenv("IK_TESTS");
    ik_harness::Json ik_root;
    try {
        std::ifstream ik_in(ik_tests_path ? ik_tests_path : "", std::ios::binary);
        if (!ik_in) throw ik_harness::ParseError("cannot open file");
        std::stringstream ik_buffer;
        ik_buffer << ik_in.rdbuf();
        std::string ik_text = ik_buffer.str();
        ik_root = ik_harness::Parser(ik_text).parse();
    } catch (const std::exception& ik_error) {
        std::fprintf(stderr, "interviewkit harness: cannot read tests from '%s': %s\n", ik_tests_path ? ik_tests_path : "",
                     ik_error.what());
        return 2;
    }
    const ik_harness::Json* ik_tests = nullptr;
    for (const auto& ik_member : ik_root.members) {
        if (ik_member.first == "tests" && ik_member.second.kind == ik_harness::Json::Array) ik_tests = &ik_member.second;
    }
    if (ik_tests == nullptr) {
        std::fprintf(stderr, "interviewkit harness: 'tests' must be a JSON array\n");
        return 2;
    }
    long long ik_start = std::max(0LL, ik_harness_glue::ik_env_number("IK_START", 0));
    long long ik_limit = ik_harness_glue::ik_env_number("IK_STDOUT_LIMIT", 65536);
    const char* ik_fd_text = std::getenv("IK_RESULT_FD");
    const signed ik_fd = ik_fd_text && *ik_fd_text ? static_cast<signed>(std::atoll(ik_fd_text)) : ::dup(1);

    ik_harness::CaptureBuf ik_capture(static_cast<std::size_t>(std::max(0LL, ik_limit)));
    std::cout.flush();
    std::streambuf* ik_real = std::cout.rdbuf(&ik_capture);
    for (std::size_t ik_i = static_cast<std::size_t>(ik_start); ik_i < ik_tests->items.size(); ++ik_i) {
        ik_harness::write_all(ik_fd, "{\"event\":\"start\",\"index\":" + std::to_string(ik_i) + "}\n");
        const ik_harness::Json& ik_test = ik_tests->items[ik_i];
        ik_harness::Outcome ik_out = ik_test.kind == ik_harness::Json::Array
                             ? ik_harness_glue::ik_run_one<Solution>(ik_test.items, ik_capture, ik_param_types{})
                             : ik_harness::failure("test arguments must be a JSON array");
        ik_harness::write_all(ik_fd, ik_harness::result_line(ik_i, ik_out));
    }
    std::string ik_left = ik_capture.take();
    std::cout.rdbuf(ik_real);
    std::cout << ik_left;
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(0);
}

#include "parse.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <initializer_list>
#include <iomanip>
#include <locale>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "param_path.hpp"
#include "text.hpp"

namespace clustersync {
namespace {

using Value = rapidjson::Value;

/// The known keys of the model's objects, in README order (the order messages list them in).
const std::initializer_list<const char*> kRootKeys = {
    "node", "node_name_flag", "layout", "sources", "logdir", "logdir_owner", "logdir_group", "logdir_mode",
    "csync_port", "csync_only_from", "lsyncd_delay", "csync_tempdir", "ssl", "serversets"};
const std::initializer_list<const char*> kLayoutKeys = {"csync2_dir", "lsyncd_config", "csync2_bin"};
const std::initializer_list<const char*> kServersetKeys = {"servers", "exclude", "auto", "key_source",
                                                           "key_content"};

std::string text_of(const Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

/// A JSON value as a message shows it: scalars literally, containers by kind (they can be large).
/// A secret is only described by its kind.
std::string describe(const Value& v, bool secret = false) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType: return "false";
        case rapidjson::kTrueType: return "true";
        case rapidjson::kObjectType: return "an object";
        case rapidjson::kArrayType: return "an array";
        case rapidjson::kStringType: return secret ? "a string" : quote(text_of(v));
        case rapidjson::kNumberType: {
            if (secret) return "a number";
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            v.Accept(w);
            return buf.GetString();
        }
    }
    return "a value";
}

/// Walks the DOM, filling the model and collecting every structural problem in document order.
class Reader {
public:
    explicit Reader(std::vector<Diagnostic>& diags) : diags_(diags) {}

    void root(const Value& v, Model& m) {
        if (!v.IsObject()) {
            error("", "the model is " + describe(v) + ", expected a JSON object");
            return;
        }
        check_keys(v, "", kRootKeys);
        for (const auto& member : v.GetObject()) {
            const std::string key = text_of(member.name);
            const std::string path = member_path("", key);
            const Value& val = member.value;
            if (val.IsNull()) continue;  // Puppet's undef: keep the default
            if (key == "node") {
                std::string s;
                if (string(val, path, s)) m.node = s;
            } else if (key == "node_name_flag") {
                if (val.IsBool())
                    m.node_name_flag = val.GetBool();
                else
                    type_error(val, path, "true or false");
            } else if (key == "layout") {
                layout(val, path, m.layout);
            } else if (key == "sources") {
                sources(val, path, m.sources);
            } else if (key == "logdir") {
                string(val, path, m.logdir);
            } else if (key == "logdir_owner") {
                string(val, path, m.logdir_owner);
            } else if (key == "logdir_group") {
                string(val, path, m.logdir_group);
            } else if (key == "logdir_mode") {
                string(val, path, m.logdir_mode);
            } else if (key == "csync_port") {
                integer_text(val, path, m.csync_port);
            } else if (key == "csync_only_from") {
                std::string s;
                if (string(val, path, s)) m.csync_only_from = s;
            } else if (key == "lsyncd_delay") {
                number_text(val, path, m.lsyncd_delay);
            } else if (key == "csync_tempdir") {
                // A path, or false for csync2's default (scratch files beside each file).
                if (val.IsFalse()) {
                    m.csync_tempdir.reset();
                } else if (val.IsString()) {
                    m.csync_tempdir = text_of(val);
                } else {
                    type_error(val, path, "a path or false");
                }
            } else if (key == "ssl") {
                if (val.IsBool())
                    m.ssl = val.GetBool();
                else
                    type_error(val, path, "true or false");
            } else if (key == "serversets") {
                serversets(val, path, m.serversets);
            }
        }
    }

private:
    void error(const std::string& path, const std::string& message) {
        diags_.push_back({Severity::Error, path, message});
    }

    void type_error(const Value& v, const std::string& path, const std::string& expected, bool secret = false) {
        error(path, describe(v, secret) + " is not " + expected);
    }

    /// Reports unknown keys (typos) and keys given twice (JSON allows it; rapidjson keeps both).
    void check_keys(const Value& obj, const std::string& path, std::initializer_list<const char*> known) {
        const std::string expected = join(known, ", ");
        std::set<std::string> seen;
        for (const auto& member : obj.GetObject()) {
            const std::string key = text_of(member.name);
            const std::string p = member_path(path, key);
            if (!seen.insert(key).second) error(p, "duplicate key");
            if (known.size() && std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
                error(p, "unknown key, expected one of " + expected);
        }
    }

    /// Reports keys given twice in a map-like object (sources, serversets).
    void check_duplicates(const Value& obj, const std::string& path) { check_keys(obj, path, {}); }

    bool string(const Value& v, const std::string& path, std::string& out) {
        if (!v.IsString()) {
            type_error(v, path, "a string");
            return false;
        }
        out = text_of(v);
        return true;
    }

    /// csync_port and lsyncd_delay: a JSON integer or any string (validate judges the digits).
    void integer_text(const Value& v, const std::string& path, std::string& out) {
        if (v.IsInt64())
            out = std::to_string(v.GetInt64());
        else if (v.IsUint64())
            out = std::to_string(v.GetUint64());
        else if (v.IsString())
            out = text_of(v);
        else
            type_error(v, path, "an integer or a numeric string");
    }

    /// lsyncd_delay: like integer_text, and a JSON number with a fraction (Puppet's Float 0.2),
    /// written in its shortest form ("0.2"); validate judges the digits.
    void number_text(const Value& v, const std::string& path, std::string& out) {
        if (v.IsDouble() && !v.IsInt64() && !v.IsUint64()) {
            std::ostringstream text;
            text.imbue(std::locale::classic());
            text << std::setprecision(15) << v.GetDouble();
            out = text.str();
        } else {
            integer_text(v, path, out);
        }
    }

    void string_array(const Value& v, const std::string& path, std::vector<std::string>& out) {
        if (!v.IsArray()) {
            type_error(v, path, "an array of strings");
            return;
        }
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            std::string s;
            if (string(v[i], element_path(path, i), s)) out.push_back(s);
        }
    }

    void layout(const Value& v, const std::string& path, Layout& out) {
        if (!v.IsObject()) {
            type_error(v, path, "an object");
            return;
        }
        check_keys(v, path, kLayoutKeys);
        for (const auto& member : v.GetObject()) {
            const std::string key = text_of(member.name);
            const std::string p = member_path(path, key);
            if (member.value.IsNull()) continue;
            if (key == "csync2_dir")
                string(member.value, p, out.csync2_dir);
            else if (key == "lsyncd_config")
                string(member.value, p, out.lsyncd_config);
            else if (key == "csync2_bin")
                string(member.value, p, out.csync2_bin);
        }
    }

    void sources(const Value& v, const std::string& path, std::map<std::string, std::string>& out) {
        if (!v.IsObject()) {
            type_error(v, path, "an object");
            return;
        }
        check_duplicates(v, path);
        for (const auto& member : v.GetObject()) {
            const std::string key = text_of(member.name);
            std::string name;
            if (string(member.value, member_path(path, key), name)) out.emplace(key, name);
        }
    }

    void serversets(const Value& v, const std::string& path, std::map<std::string, Serverset>& out) {
        if (!v.IsObject()) {
            type_error(v, path, "an object");
            return;
        }
        check_duplicates(v, path);
        for (const auto& member : v.GetObject()) {
            const std::string name = text_of(member.name);
            if (out.count(name)) continue;  // a duplicate, reported above
            Serverset s;
            s.name = name;
            if (serverset(member.value, member_path(path, name), s)) out.emplace(name, std::move(s));
        }
    }

    bool serverset(const Value& v, const std::string& path, Serverset& s) {
        if (!v.IsObject()) {
            type_error(v, path, "an object");
            return false;
        }
        check_keys(v, path, kServersetKeys);
        bool has_servers = false;
        for (const auto& member : v.GetObject()) {
            const std::string key = text_of(member.name);
            const std::string p = member_path(path, key);
            const Value& val = member.value;
            if (val.IsNull()) continue;
            if (key == "servers") {
                has_servers = true;
                string_array(val, p, s.servers);
            } else if (key == "exclude") {
                string_array(val, p, s.exclude);
            } else if (key == "auto") {
                string(val, p, s.auto_resolve);
            } else if (key == "key_source") {
                std::string src;
                if (string(val, p, src)) s.key_source = src;
            } else if (key == "key_content") {
                if (val.IsString()) {
                    s.key_content_kind = KeyContent::Inline;
                    s.key_content = text_of(val);
                } else if (val.IsTrue()) {
                    s.key_content_kind = KeyContent::External;
                } else {
                    type_error(val, p, "a string or true", true);
                }
            }
        }
        if (!has_servers) error(member_path(path, "servers"), "missing, expected an array of host names");
        return true;
    }

    std::vector<Diagnostic>& diags_;
};

/// "line L, column C" of a byte offset, counting columns in bytes from 1.
std::string position_of(const std::string& text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte offset " +
           std::to_string(offset) + ")";
}

/// How deep arrays and objects nest in JSON text, or kMaxModelDepth + 1 as soon as that is
/// exceeded; strings are skipped (with their escapes), so a bracket inside one does not count.
/// Linear in the text and never recursive, so no text can exhaust the stack here.
std::size_t nesting_depth(const std::string& text, std::size_t& offset) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > kMaxModelDepth) {
                offset = i;
                return deepest;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

/// True when `text` is well-formed UTF-8: no stray continuation byte, no overlong form, no
/// UTF-16 surrogate (U+D800..U+DFFF), nothing above U+10FFFF.
bool valid_utf8(const char* text, std::size_t size) {
    const auto* p = reinterpret_cast<const unsigned char*>(text);
    for (std::size_t i = 0; i < size;) {
        const unsigned c = p[i];
        std::size_t n = 0;
        unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (i + n >= size) return false;
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (std::size_t k = 2; k <= n; ++k)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
        i += n + 1;
    }
    return true;
}

/// Where the first key or string of `v` that is not valid UTF-8 is: the parameter path and
/// whether it is a key there (else the value); nothing when all are valid.
/// rapidjson checks the raw bytes (kParseValidateEncodingFlag) but decodes an escape of a lone
/// UTF-16 surrogate (\udc00) into bytes no UTF-8 reader accepts; Puppet's JSON could not read
/// the bundle back. A model nests at most kMaxModelDepth levels, so the recursion is bounded.
std::optional<std::pair<std::string, bool>> invalid_text(const Value& v, const std::string& path) {
    if (v.IsString()) {
        if (!valid_utf8(v.GetString(), v.GetStringLength())) return std::make_pair(path, false);
    } else if (v.IsArray()) {
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
            if (auto bad = invalid_text(v[i], element_path(path, i))) return bad;
    } else if (v.IsObject()) {
        for (const auto& member : v.GetObject()) {
            if (!valid_utf8(member.name.GetString(), member.name.GetStringLength())) return std::make_pair(path, true);
            if (auto bad = invalid_text(member.value, member_path(path, text_of(member.name)))) return bad;
        }
    }
    return std::nullopt;
}

}  // namespace

ParseResult parse_model(const std::string& json_text) {
    ParseResult result;
    // rapidjson reads a raw NUL byte as the end of the text; valid JSON never holds one
    // (a NUL inside a string must be written \u0000), so anything after it would be ignored.
    const std::size_t nul = json_text.find('\0');
    if (nul != std::string::npos) {
        result.diagnostics.push_back(
            {Severity::Error, "", "invalid JSON at " + position_of(json_text, nul) + ": a NUL byte is not allowed"});
        return result;
    }
    // The model nests four levels deep; deeper text is refused before rapidjson sees it, and
    // rapidjson parses iteratively anyway, so no input can overflow the stack.
    std::size_t too_deep = 0;
    if (nesting_depth(json_text, too_deep) > kMaxModelDepth) {
        result.diagnostics.push_back({Severity::Error, "",
                                      "invalid model at " + position_of(json_text, too_deep) +
                                          ": arrays and objects nest deeper than " + std::to_string(kMaxModelDepth) +
                                          " levels (a model nests 4)"});
        return result;
    }
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(json_text.data(), json_text.size());
    if (doc.HasParseError()) {
        result.diagnostics.push_back({Severity::Error, "",
                                      "invalid JSON at " + position_of(json_text, doc.GetErrorOffset()) + ": " +
                                          rapidjson::GetParseError_En(doc.GetParseError())});
        return result;
    }
    if (auto bad = invalid_text(doc, "")) {
        result.diagnostics.push_back({Severity::Error, bad->first,
                                      std::string(bad->second ? "a key" : "the value") +
                                          " is not valid UTF-8: an escape \\uD800 to \\uDFFF without its pair (a lone "
                                      "UTF-16 surrogate) decodes to bytes no UTF-8 reader accepts"});
        return result;
    }
    Reader(result.diagnostics).root(doc, result.model);
    return result;
}

}  // namespace clustersync

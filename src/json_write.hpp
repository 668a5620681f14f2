#pragma once
// What every JSON document the helper prints (bundle, facts, doctor's report) writes the same
// way: strings by length (they may hold NUL), and absent values as null.

#include <rapidjson/rapidjson.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace clustersync {

/// Writes `s` as a JSON string value.
template <typename Writer>
void write_json_string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

/// Writes `s` as an object key.
template <typename Writer>
void write_json_key(Writer& w, std::string_view s) {
    w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

/// Writes the member `key`: `value` as a JSON string.
template <typename Writer>
void write_json_member(Writer& w, std::string_view key, std::string_view value) {
    write_json_key(w, key);
    write_json_string(w, value);
}

/// Writes the number, or null when there is none.
template <typename Writer, typename Number>
void write_json_optional(Writer& w, const std::optional<Number>& v) {
    if (v)
        w.Int64(static_cast<std::int64_t>(*v));
    else
        w.Null();
}

}  // namespace clustersync

#pragma once
// The one error convention of the node layer (probe_*.hpp): an operation returns its value, or
// one line saying what failed and why, with the system's reason ("cannot read /etc/k: Permission
// denied"), which facts and doctor print as it is.

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace clustersync {

/// A value of T, or the reason there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    /// Success.
    Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): reads as `return value;`
    /// Failure, with why.
    static Result failure(std::string why) {
        Result r;
        r.error_ = std::move(why);
        return r;
    }

    explicit operator bool() const { return value_.has_value(); }
    bool has_value() const { return value_.has_value(); }
    const T& operator*() const { return *value_; }
    T& operator*() { return *value_; }
    const T* operator->() const { return &*value_; }
    T* operator->() { return &*value_; }
    /// The value; throws std::bad_optional_access on a failure.
    const T& value() const { return value_.value(); }
    T value_or(T fallback) const { return value_ ? *value_ : std::move(fallback); }
    /// The value as an optional (none on a failure), for state that keeps "unknown".
    const std::optional<T>& optional() const { return value_; }
    /// Why there is no value; empty on success.
    const std::string& error() const { return error_; }

private:
    Result() = default;
    std::optional<T> value_;
    std::string error_;
};

/// Success or the reason of a failure, for operations that yield nothing.
class [[nodiscard]] Status {
public:
    Status() = default;
    static Status failure(std::string why) {
        Status s;
        s.error_ = std::move(why);
        s.ok_ = false;
        return s;
    }
    explicit operator bool() const { return ok_; }
    const std::string& error() const { return error_; }

private:
    bool ok_ = true;
    std::string error_;
};

/// The system's text for an errno value ("Permission denied").
inline std::string errno_text(int err) { return std::strerror(err); }

/// "WHAT: REASON" for the errno of a failed call ("cannot read /etc/k: Permission denied").
inline std::string system_failure(const std::string& what, int err = errno) { return what + ": " + errno_text(err); }

}  // namespace clustersync

// libFuzzer target: one input is the text of a JSON model, taken through the whole path of
// `clustersync-helper bundle --model -` (what the Puppet module's generate() runs): parse,
// validate, plan, render every csync2 and lsyncd file, write the bundle document.
//
// It calls clustersync::run(), the helper's whole command line interface, in process, with the
// input as standard input; the bundle command writes only to the given streams (no file is
// written, no process spawned). So the path fuzzed is exactly the helper's, including what it
// catches: run() catches CLI11's command line errors only, and nothing around parsing,
// validation, planning or rendering. Neither does this target: an exception from those is a
// finding (std::terminate aborts, libFuzzer reports a deadly signal and saves the input).
//
// Besides the sanitizers (ASan, UBSan, LeakSanitizer) the target checks what the helper
// promises Puppet, aborting when it does not hold:
//   - bundle exits 0, whatever the model;
//   - its output is one valid JSON object, in valid UTF-8 (Puppet's JSON parser takes it,
//     and the catalog carrying the files can be serialised);
//   - "errors", "warnings", "serversets" and "files" are arrays; with errors, no serverset and
//     no file; without, one csync2 file per serverset plus the lsyncd file (or no file at all
//     for a node that is a member of no serverset).
//
// Build and run: scripts/fuzz [SECONDS]; see docs/fuzzing.md.

#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "cli.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& out, const std::string& err) {
    std::fprintf(stderr, "fuzz_model: %s\n--- standard output (first 2000 bytes) ---\n%.2000s\n"
                         "--- standard error (first 2000 bytes) ---\n%.2000s\n",
                 what, out.c_str(), err.c_str());
    std::abort();
}

/// Reads the bundle as rapidjson SAX events (no DOM: the bundle carries every rendered file, and
/// this runs on every input) and counts the elements of its top-level arrays.
struct BundleShape : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, BundleShape> {
    int depth = 0;          // 1 inside the top-level object
    bool root_object = false;
    std::string key;        // the top-level key whose value is being read
    bool in_top_array = false;
    std::map<std::string, std::size_t> arrays;  // top-level key -> elements, for array values

    bool element() {
        if (depth == 2 && in_top_array) ++arrays[key];
        return true;
    }
    bool Default() { return element(); }
    bool String(const char*, rapidjson::SizeType, bool) { return element(); }
    bool Key(const char* str, rapidjson::SizeType length, bool) {
        if (depth == 1) key.assign(str, length);
        return true;
    }
    bool StartObject() {
        if (depth == 0) root_object = true;
        element();
        ++depth;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        --depth;
        return true;
    }
    bool StartArray() {
        element();
        if (depth == 1) {
            in_top_array = true;
            arrays[key];  // present, maybe empty
        }
        ++depth;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        if (--depth == 1) in_top_array = false;
        return true;
    }
};

void check_bundle(const std::string& out, const std::string& err) {
    BundleShape shape;
    rapidjson::Reader reader;
    rapidjson::StringStream stream(out.c_str());
    if (out.find('\0') != std::string::npos) fail("the bundle has a NUL byte", out, err);
    if (reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(stream, shape).IsError())
        fail("the bundle is not valid JSON in valid UTF-8", out, err);
    if (!shape.root_object) fail("the bundle is not a JSON object", out, err);
    for (const char* key : {"errors", "warnings", "serversets", "files"})
        if (!shape.arrays.count(key)) fail("an array of the bundle is missing", out, err);
    const std::size_t groups = shape.arrays["serversets"];
    const std::size_t files = shape.arrays["files"];
    if (shape.arrays["errors"] != 0) {
        if (groups != 0 || files != 0) fail("a bundle with errors has serversets or files", out, err);
    } else if (files != (groups == 0 ? 0 : groups + 1)) {
        fail("the bundle's files are not one per serverset plus lsyncd's", out, err);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const char* const argv[] = {"clustersync-helper", "bundle", "--model", "-", nullptr};
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    std::ostringstream out, err;
    const int status = clustersync::run(4, argv, in, out, err);
    if (status != clustersync::kExitOk) fail("bundle did not exit 0", out.str(), err.str());
    check_bundle(out.str(), err.str());
    return 0;
}

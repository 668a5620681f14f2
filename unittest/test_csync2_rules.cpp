// csync2's rules in one place (csync2_rules.hpp): keywords, config names, keys, file names, and
// the text helpers the messages share.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include "csync2_rules.hpp"
#include "csync2_word.hpp"
#include "text.hpp"

using namespace clustersync;

namespace {

/// The accepted and rejected values of one rule in csync2_rules_cases.json, the table the Puppet
/// types' specs read too, so the helper and the module agree on each case.
std::pair<std::vector<std::string>, std::vector<std::string>> shared_cases(const char* rule) {
    std::ifstream in(std::string(CLUSTERSYNC_SOURCE_DIR) + "/unittest/csync2_rules_cases.json");
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    REQUIRE(doc.IsObject());
    REQUIRE(doc.HasMember(rule));
    const auto list = [&](const char* which) {
        std::vector<std::string> values;
        for (const auto& v : doc[rule][which].GetArray()) values.emplace_back(v.GetString(), v.GetStringLength());
        return values;
    };
    return {list("accepted"), list("rejected")};
}

}  // namespace

TEST_CASE("the key and name rules agree with the cases the Puppet types are tested with", "[csync2]") {
    const auto [keys_ok, keys_bad] = shared_cases("key");
    REQUIRE(keys_ok.size() >= 4);
    REQUIRE(keys_bad.size() >= 8);
    for (const auto& key : keys_ok) {
        INFO(key);
        CHECK(csync2_key_problems(key).empty());
    }
    for (const auto& key : keys_bad) {
        INFO(key);
        CHECK_FALSE(csync2_key_problems(key).empty());
    }
    const auto [names_ok, names_bad] = shared_cases("name");
    REQUIRE(names_ok.size() >= 4);
    REQUIRE(names_bad.size() >= 6);
    for (const auto& name : names_ok) {
        INFO(name);
        CHECK(is_csync2_config_name(name));
    }
    for (const auto& name : names_bad) {
        INFO(name);
        CHECK_FALSE(is_csync2_config_name(name));
    }
}

TEST_CASE("csync2_keywords are the 24 words of csync2 2.0's scanner, sorted", "[csync2]") {
    const auto& words = csync2_keywords();
    CHECK(words.size() == 24);
    CHECK(std::is_sorted(words.begin(), words.end()));
    for (const char* word : {"do-local-only", "no-cygwin-lowercase", "config", "tempdir", "lock-timeout", "nossl"}) {
        INFO(word);
        CHECK(is_csync2_keyword(word));
        CHECK(csync2_word(word) == "\"" + std::string(word) + "\"");
    }
    for (const char* word : {"Group", "hosts", "do-local-", "keys", "", "{", ";"}) {
        INFO(word);
        CHECK_FALSE(is_csync2_keyword(word));
    }
}

TEST_CASE("is_csync2_config_name accepts [a-z0-9]+ only", "[csync2]") {
    for (const char* name : {"uploads", "a1", "0", "www2"}) {
        INFO(name);
        CHECK(is_csync2_config_name(name));
    }
    for (const char* name : {"", "Uploads", "up_loads", "up-loads", "up.loads", "ü", "a b"}) {
        INFO(name);
        CHECK_FALSE(is_csync2_config_name(name));
    }
}

TEST_CASE("ascii_lower lower-cases ASCII letters only, as csync2 compares host names", "[csync2]") {
    CHECK(ascii_lower("Node1.Example.NET") == "node1.example.net");
    CHECK(ascii_lower("ÄBC-9_x") == "Äbc-9_x");
    CHECK(ascii_lower("") == "");
}

TEST_CASE("csync2 file names: config, key, database", "[csync2]") {
    CHECK(csync2_config_file_name("uploads") == "csync2_uploads.cfg");
    CHECK(csync2_key_file_name("uploads") == "csync2_uploads.key");
    CHECK(csync2_database_file_name("Node1.Example.net", "uploads") == "node1.example.net_uploads.db3");
    CHECK(std::string(kCsync2LockFileName) == "csync2.lock");
}

TEST_CASE("serverset_names keeps csync2_NAME.cfg files whose NAME csync2 accepts, sorted", "[csync2]") {
    const std::vector<std::string> files = {"csync2_uploads.cfg", "csync2.cfg",          "csync2_serverd.cfg",
                                            "csync2_up_loads.cfg", "csync2_Upper.cfg",   "csync2_uploads.key",
                                            "csync2_.cfg",         "csync2_ssl_key.pem", "xcsync2_a.cfg",
                                            "csync2_a1.cfg.bak",   "csync2_a1.cfg"};
    CHECK(serverset_names(files) == std::vector<std::string>{"a1", "serverd", "uploads"});
}

TEST_CASE("csync2_key_problems applies csync2's key rule without quoting the key", "[csync2]") {
    const std::string good(32, 'a');
    for (const std::string& key : {good, good + "\n", "Ab0._" + std::string(60, 'z') + "\nsecond line: !@#\r\n"}) {
        INFO(key);
        CHECK(csync2_key_problems(key).empty());
    }
    const std::string chars = ": expected only A-Z, a-z, 0-9, . and _";
    const std::string crlf = "the key's first line ends with CRLF, which csync2 rejects: expected a Unix line end";
    const std::vector<std::pair<std::string, std::vector<std::string>>> rejected = {
        {"", {"the key is 0 characters long, expected at least 32 (csync2 -k writes 64)"}},
        {"\n" + good, {"the key is 0 characters long, expected at least 32 (csync2 -k writes 64)"}},
        {std::string(31, 'k'), {"the key is 31 characters long, expected at least 32 (csync2 -k writes 64)"}},
        {good + "\r\n", {crlf}},
        {good + "\r", {crlf}},
        {std::string(40, 'k') + "-", {"the key has a character csync2 does not allow at position 41 of 41" + chars}},
        {std::string(20, 'k') + "\r" + std::string(20, 'k'),
         {"the key has a character csync2 does not allow at position 21 of 41" + chars}},
        {"secret key", {"the key has a character csync2 does not allow at position 7 of 10" + chars,
                        "the key is 10 characters long, expected at least 32 (csync2 -k writes 64)"}},
    };
    for (const auto& [content, problems] : rejected) {
        INFO(content);
        const auto found = csync2_key_problems(content);
        CHECK(found == problems);
        for (const auto& p : found)
            if (content.size() > 6) CHECK(p.find(content.substr(0, 6)) == std::string::npos);
    }
}

TEST_CASE("text helpers: join, trim, starts_with, ends_with, lines_of", "[text]") {
    CHECK(join(std::vector<std::string>{}, ", ").empty());
    CHECK(join(std::vector<std::string>{"a"}, ", ") == "a");
    CHECK(join(std::set<std::string>{"b", "a", "c"}, " ") == "a b c");
    CHECK(join(std::vector<const char*>{"x", "", "y"}, "; ") == "x; ; y");
    CHECK(trim(" \t a b \r\n") == "a b");
    CHECK(trim(" \n ").empty());
    CHECK(starts_with("csync2_a.cfg", "csync2_"));
    CHECK_FALSE(starts_with("csync2", "csync2_"));
    CHECK(ends_with("csync2_a.cfg", ".cfg"));
    CHECK_FALSE(ends_with("cfg", ".cfg"));
    CHECK(lines_of("a\n\nb") == std::vector<std::string>{"a", "", "b"});
    CHECK(lines_of("a\n") == std::vector<std::string>{"a"});
}

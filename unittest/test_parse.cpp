#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "parse.hpp"

using namespace clustersync;

namespace {

std::vector<std::string> lines_of(const std::vector<Diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(to_string(d));
    return out;
}

/// A JSON text and the one diagnostic it must produce, word for word.
struct Rejected {
    const char* json;
    const char* message;
};

}  // namespace

TEST_CASE("parse: a rejected document gives exactly the pinned diagnostic", "[parse]") {
    static const Rejected cases[] = {
        // JSON syntax: the position is where rapidjson stopped.
        {"", "invalid JSON at line 1, column 1 (byte offset 0): The document is empty."},
        {"{", "invalid JSON at line 1, column 2 (byte offset 1): Missing a name for object member."},
        {"{\n  \"node\": \"a\",\n}", "invalid JSON at line 3, column 1 (byte offset 17): Missing a name for object member."},
        {"{\"node\" \"a\"}", "invalid JSON at line 1, column 9 (byte offset 8): Missing a colon after a name of object member."},
        {"{\"node\": \"a\"} x", "invalid JSON at line 1, column 15 (byte offset 14): The document root must not be followed by other values."},
        {"{\"node\": 'a'}", "invalid JSON at line 1, column 10 (byte offset 9): Invalid value."},
        {"{\"node\": \"\xff\"}", "invalid JSON at line 1, column 11 (byte offset 10): Invalid encoding in string."},
        // The document is not an object.
        {"[]", "the model is an array, expected a JSON object"},
        {"\"x\"", "the model is \"x\", expected a JSON object"},
        {"42", "the model is 42, expected a JSON object"},
        {"null", "the model is null, expected a JSON object"},
        // Unknown and duplicate keys.
        {R"({"sourcse": {}})",
         "sourcse: unknown key, expected one of node, node_name_flag, layout, sources, logdir, logdir_owner, logdir_group, "
         "logdir_mode, csync_port, csync_only_from, lsyncd_delay, csync_tempdir, ssl, serversets"},
        {R"({"log dir": "/x"})",
         "[\"log dir\"]: unknown key, expected one of node, node_name_flag, layout, sources, logdir, logdir_owner, logdir_group, "
         "logdir_mode, csync_port, csync_only_from, lsyncd_delay, csync_tempdir, ssl, serversets"},
        {R"({"layout": {"csync2dir": "/etc"}})",
         "layout.csync2dir: unknown key, expected one of csync2_dir, lsyncd_config, csync2_bin"},
        {R"({"serversets": {"a": {"servers": [], "servres": []}}})",
         "serversets.a.servres: unknown key, expected one of servers, exclude, auto, key_source, key_content"},
        {R"({"node": "a", "node": "b"})", "node: duplicate key"},
        {R"({"sources": {"/x": "a", "/x": "b"}})", "sources[\"/x\"]: duplicate key"},
        {R"({"serversets": {"a": {"servers": []}, "a": {"servers": []}}})", "serversets.a: duplicate key"},
        {R"({"serversets": {"a": {"servers": [], "auto": "none", "auto": "left"}}})", "serversets.a.auto: duplicate key"},
        // Wrong JSON types.
        {R"({"node": 1})", "node: 1 is not a string"},
        {R"({"node": ["a"]})", "node: an array is not a string"},
        {R"({"node_name_flag": "yes"})", "node_name_flag: \"yes\" is not true or false"},
        {R"({"layout": "/etc"})", "layout: \"/etc\" is not an object"},
        {R"({"layout": {"csync2_dir": false}})", "layout.csync2_dir: false is not a string"},
        {R"({"layout": {"lsyncd_config": {}}})", "layout.lsyncd_config: an object is not a string"},
        {R"({"layout": {"csync2_bin": 0}})", "layout.csync2_bin: 0 is not a string"},
        {R"({"sources": []})", "sources: an array is not an object"},
        {R"({"sources": {"/x": 1}})", "sources[\"/x\"]: 1 is not a string"},
        {R"({"sources": {"/x": null}})", "sources[\"/x\"]: null is not a string"},
        {R"({"sources": {"/x": ["a"]}})", "sources[\"/x\"]: an array is not a string"},
        {R"({"logdir": true})", "logdir: true is not a string"},
        {R"({"logdir_owner": 0})", "logdir_owner: 0 is not a string"},
        {R"({"logdir_group": 0})", "logdir_group: 0 is not a string"},
        {R"({"logdir_mode": 755})", "logdir_mode: 755 is not a string"},
        {R"({"csync_port": 30865.5})", "csync_port: 30865.5 is not an integer or a numeric string"},
        {R"({"csync_port": true})", "csync_port: true is not an integer or a numeric string"},
        {R"({"csync_port": [30865]})", "csync_port: an array is not an integer or a numeric string"},
        {R"({"csync_only_from": ["10.0.0.0/8"]})", "csync_only_from: an array is not a string"},
        {R"({"lsyncd_delay": true})", "lsyncd_delay: true is not an integer or a numeric string"},
        {R"({"ssl": "yes"})", "ssl: \"yes\" is not true or false"},
        {R"({"ssl": 1})", "ssl: 1 is not true or false"},
        {R"({"serversets": []})", "serversets: an array is not an object"},
        {R"({"serversets": {"a": null}})", "serversets.a: null is not an object"},
        {R"({"serversets": {"a": ["x", "y"]}})", "serversets.a: an array is not an object"},
        {R"({"serversets": {"a": {}}})", "serversets.a.servers: missing, expected an array of host names"},
        {R"({"serversets": {"a": {"servers": null}}})", "serversets.a.servers: missing, expected an array of host names"},
        {R"({"serversets": {"a": {"servers": "x y"}}})", "serversets.a.servers: \"x y\" is not an array of strings"},
        {R"({"serversets": {"a": {"servers": ["x", 2]}}})", "serversets.a.servers[1]: 2 is not a string"},
        {R"({"serversets": {"a": {"servers": ["x", null]}}})", "serversets.a.servers[1]: null is not a string"},
        {R"({"serversets": {"a": {"servers": [], "exclude": "*.tmp"}}})", "serversets.a.exclude: \"*.tmp\" is not an array of strings"},
        {R"({"serversets": {"a": {"servers": [], "exclude": ["*.tmp", {}]}}})", "serversets.a.exclude[1]: an object is not a string"},
        {R"({"serversets": {"a": {"servers": [], "auto": 1}}})", "serversets.a.auto: 1 is not a string"},
        {R"({"serversets": {"a": {"servers": [], "key_source": true}}})", "serversets.a.key_source: true is not a string"},
        {R"({"serversets": {"a": {"servers": [], "key_content": false}}})", "serversets.a.key_content: false is not a string or true"},
        // key_content is a secret: even a mistyped one is only described.
        {R"({"serversets": {"a": {"servers": [], "key_content": 1234567890123}}})", "serversets.a.key_content: a number is not a string or true"},
        {R"({"serversets": {"a": {"servers": [], "key_content": ["s3cret"]}}})", "serversets.a.key_content: an array is not a string or true"},
        {R"({"serversets": {"up.loads": {"servers": 1}}})", "serversets[\"up.loads\"].servers: 1 is not an array of strings"},
    };
    for (const auto& c : cases) {
        INFO("input: " << c.json);
        CHECK(lines_of(parse_model(c.json).diagnostics) == std::vector<std::string>{c.message});
    }
}

TEST_CASE("parse: a raw NUL byte anywhere in the text is an error, not the end of it", "[parse]") {
    const std::string text("{\"node\": \"a\"}\0", 14);
    CHECK(lines_of(parse_model(text).diagnostics) ==
          std::vector<std::string>{
              "invalid JSON at line 1, column 14 (byte offset 13): a NUL byte is not allowed"});
    const std::string in_string("{\"node\": \"a\0b\"}", 15);
    CHECK(lines_of(parse_model(in_string).diagnostics) ==
          std::vector<std::string>{"invalid JSON at line 1, column 12 (byte offset 11): a NUL byte is not allowed"});
}

TEST_CASE("parse: every structural problem is reported, in document order", "[parse]") {
    const auto result = parse_model(R"({
        "nodes": "a",
        "csync_port": 1.5,
        "serversets": {"x": {"servers": [1, "b", false], "key_content": 7}, "y": {"auto": "none"}},
        "ssl": "no"
    })");
    CHECK(lines_of(result.diagnostics) ==
          std::vector<std::string>{
              "nodes: unknown key, expected one of node, node_name_flag, layout, sources, logdir, logdir_owner, logdir_group, "
              "logdir_mode, csync_port, csync_only_from, lsyncd_delay, csync_tempdir, ssl, serversets",
              "csync_port: 1.5 is not an integer or a numeric string",
              "serversets.x.servers[0]: 1 is not a string",
              "serversets.x.servers[2]: false is not a string",
              "serversets.x.key_content: a number is not a string or true",
              "serversets.y.servers: missing, expected an array of host names",
              "ssl: \"no\" is not true or false",
          });
}

TEST_CASE("parse: an empty object gives the defaults", "[parse]") {
    const auto result = parse_model("{}");
    CHECK(result.diagnostics.empty());
    const Model& m = result.model;
    CHECK_FALSE(m.node);
    CHECK(m.layout.csync2_dir == "/etc");
    CHECK(m.layout.lsyncd_config == "/etc/lsyncd/lsyncd.conf.lua");
    CHECK(m.layout.csync2_bin == "/usr/sbin/csync2");
    CHECK(m.sources.empty());
    CHECK(m.logdir == "/var/log/lsyncd");
    CHECK(m.logdir_owner == "root");
    CHECK(m.logdir_group == "root");
    CHECK(m.logdir_mode == "0755");
    CHECK(m.csync_port == "30865");
    CHECK_FALSE(m.csync_only_from);
    CHECK(m.lsyncd_delay == "0.2");
    CHECK(m.csync_tempdir == std::optional<std::string>("/var/lib/csync2/clustersync-tmp"));
    CHECK_FALSE(m.ssl);
    CHECK(m.serversets.empty());
}

TEST_CASE("parse: csync_tempdir is a path, or false for none; null keeps the default", "[parse]") {
    CHECK(parse_model(R"({"csync_tempdir": "/srv/tmp"})").model.csync_tempdir == std::optional<std::string>("/srv/tmp"));
    CHECK_FALSE(parse_model(R"({"csync_tempdir": false})").model.csync_tempdir);
    CHECK(parse_model(R"({"csync_tempdir": null})").model.csync_tempdir ==
          std::optional<std::string>("/var/lib/csync2/clustersync-tmp"));
    for (const auto& [json, message] : std::vector<std::pair<std::string, std::string>>{
             {R"({"csync_tempdir": true})", "csync_tempdir: true is not a path or false"},
             {R"({"csync_tempdir": 7})", "csync_tempdir: 7 is not a path or false"},
             {R"({"csync_tempdir": ["/a"]})", "csync_tempdir: an array is not a path or false"},
         }) {
        INFO(json);
        const auto result = parse_model(json);
        REQUIRE(result.diagnostics.size() == 1);
        CHECK(to_string(result.diagnostics[0]) == message);
    }
}

TEST_CASE("parse: null means not given, everywhere a key is optional", "[parse]") {
    const auto result = parse_model(R"({"node": null, "layout": null, "sources": null, "logdir": null,
        "logdir_owner": null, "logdir_group": null, "logdir_mode": null, "csync_port": null,
        "csync_only_from": null, "lsyncd_delay": null, "ssl": null,
        "serversets": {"a": {"servers": ["x"], "exclude": null, "auto": null, "key_source": null, "key_content": null}}})");
    CHECK(result.diagnostics.empty());
    const Model& m = result.model;
    CHECK_FALSE(m.node);
    CHECK(m.logdir == "/var/log/lsyncd");
    CHECK(m.csync_port == "30865");
    CHECK_FALSE(m.csync_only_from);
    const Serverset& a = m.serversets.at("a");
    CHECK(a.servers == std::vector<std::string>{"x"});
    CHECK(a.exclude.empty());
    CHECK(a.auto_resolve == "none");
    CHECK_FALSE(a.key_source);
    CHECK(a.key_content_kind == KeyContent::Absent);
}

TEST_CASE("parse: a full model fills every field as given", "[parse]") {
    const auto result = parse_model(R"({
        "node": "Foo.example.net",
        "layout": {"csync2_dir": "/etc/csync2", "lsyncd_config": "/etc/lsyncd.conf", "csync2_bin": "/usr/bin/csync2"},
        "sources": {"/var/uploads/": "uploads", "/etc/serverd": "serverd"},
        "logdir": "/var/log/sync", "logdir_owner": "www-data", "logdir_group": "adm", "logdir_mode": "750",
        "csync_port": "30866", "csync_only_from": "10.0.100.0/24 10.0.200.0/24", "lsyncd_delay": 5, "ssl": true,
        "serversets": {
            "uploads": {"servers": ["foo.example.net@10.0.100.1", "bar"], "exclude": ["*.tmp", "/var/uploads/cache"],
                        "auto": "younger", "key_source": "puppet:///mnt/csync2_uploads.key"},
            "serverd": {"servers": ["barium", "sodium"], "key_content": true},
            "inline": {"servers": [], "key_content": "abc\ndef"}
        }
    })");
    REQUIRE(lines_of(result.diagnostics).empty());
    const Model& m = result.model;
    CHECK(m.node == std::optional<std::string>("Foo.example.net"));
    CHECK(m.layout.csync2_dir == "/etc/csync2");
    CHECK(m.layout.lsyncd_config == "/etc/lsyncd.conf");
    CHECK(m.layout.csync2_bin == "/usr/bin/csync2");
    CHECK(m.sources == std::map<std::string, std::string>{{"/var/uploads/", "uploads"}, {"/etc/serverd", "serverd"}});
    CHECK(m.logdir == "/var/log/sync");
    CHECK(m.logdir_owner == "www-data");
    CHECK(m.logdir_group == "adm");
    CHECK(m.logdir_mode == "750");
    CHECK(m.csync_port == "30866");
    CHECK(m.csync_only_from == std::optional<std::string>("10.0.100.0/24 10.0.200.0/24"));
    CHECK(m.lsyncd_delay == "5");
    CHECK(m.ssl);
    REQUIRE(m.serversets.size() == 3);
    const Serverset& up = m.serversets.at("uploads");
    CHECK(up.name == "uploads");
    CHECK(up.servers == std::vector<std::string>{"foo.example.net@10.0.100.1", "bar"});
    CHECK(up.exclude == std::vector<std::string>{"*.tmp", "/var/uploads/cache"});
    CHECK(up.auto_resolve == "younger");
    CHECK(up.key_source == std::optional<std::string>("puppet:///mnt/csync2_uploads.key"));
    CHECK(up.key_content_kind == KeyContent::Absent);
    const Serverset& sd = m.serversets.at("serverd");
    CHECK(sd.key_content_kind == KeyContent::External);
    CHECK(sd.key_content.empty());
    CHECK_FALSE(sd.key_source);
    const Serverset& in = m.serversets.at("inline");
    CHECK(in.key_content_kind == KeyContent::Inline);
    CHECK(in.key_content == "abc\ndef");
}

TEST_CASE("parse: csync_port and lsyncd_delay keep integers and strings as text", "[parse]") {
    // Range and digits are validate's business; parse only checks the JSON type.
    struct Case {
        const char* json;
        const char* text;
    };
    static const Case cases[] = {
        {"30865", "30865"},   {"\"30865\"", "30865"}, {"0", "0"},
        {"-1", "-1"},         {"\"abc\"", "abc"},     {"18446744073709551615", "18446744073709551615"},
        {"\" 1\"", " 1"},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        auto port = parse_model(std::string("{\"csync_port\": ") + c.json + "}");
        CHECK(port.diagnostics.empty());
        CHECK(port.model.csync_port == c.text);
        auto delay = parse_model(std::string("{\"lsyncd_delay\": ") + c.json + "}");
        CHECK(delay.diagnostics.empty());
        CHECK(delay.model.lsyncd_delay == c.text);
    }
}

TEST_CASE("parse: lsyncd_delay keeps a number with a fraction in its shortest form", "[parse]") {
    // Puppet's Float 0.2 reaches the helper as the JSON number 0.2; validate judges the text.
    struct Case {
        const char* json;
        const char* text;
    };
    static const Case cases[] = {{"0.2", "0.2"}, {"1.25", "1.25"}, {"0.1", "0.1"}, {"2.0", "2"}, {"1e-7", "1e-07"}};
    for (const auto& c : cases) {
        INFO(c.json);
        auto delay = parse_model(std::string("{\"lsyncd_delay\": ") + c.json + "}");
        CHECK(delay.diagnostics.empty());
        CHECK(delay.model.lsyncd_delay == c.text);
    }
    auto port = parse_model(R"({"csync_port": 0.5})");
    REQUIRE(port.diagnostics.size() == 1);
    CHECK(port.diagnostics[0].path == "csync_port");
    CHECK(port.diagnostics[0].message == "0.5 is not an integer or a numeric string");
}

TEST_CASE("parse: strings keep escapes decoded, including NUL", "[parse]") {
    const auto result = parse_model(R"({"node": "a\u0000b\tc", "sources": {"/x\ny": "a"}})");
    REQUIRE(result.diagnostics.empty());
    CHECK(*result.model.node == std::string("a\0b\tc", 5));
    CHECK(result.model.sources.count("/x\ny") == 1);
}

TEST_CASE("parse: deep nesting is refused before parsing, without recursion", "[parse][hostile]") {
    // 150,000 levels crashed rapidjson's recursive parser (SIGSEGV).
    const std::string deep = std::string(150000, '[') + std::string(150000, ']');
    ParseResult r = parse_model(deep);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(to_string(r.diagnostics[0]) ==
          "invalid model at line 1, column 33 (byte offset 32): arrays and objects nest deeper than 32 levels (a model "
          "nests 4)");
    // Brackets inside strings do not count; 32 levels are still read (and found to be no model).
    ParseResult s = parse_model("{\"node\": \"" + std::string(100, '[') + "\"}");
    CHECK(s.diagnostics.empty());
    CHECK(s.model.node == std::string(100, '['));
    ParseResult t = parse_model(std::string(32, '[') + std::string(32, ']'));
    REQUIRE(t.diagnostics.size() == 1);
    CHECK(to_string(t.diagnostics[0]) == "the model is an array, expected a JSON object");
    // An escaped quote does not end the string.
    ParseResult u = parse_model("{\"node\": \"\\\"" + std::string(40, '{') + "\"}");
    CHECK(u.diagnostics.empty());
    CHECK(u.model.node == "\"" + std::string(40, '{'));
}

TEST_CASE("parse: a lone UTF-16 surrogate escape is refused, a pair is read", "[parse][hostile]") {
    // rapidjson decodes \udc00 alone into bytes that are not UTF-8; the bundle carried them to
    // Puppet, whose JSON could not write them back (found by fuzz/fuzz_model).
    const std::string tail =
        " is not valid UTF-8: an escape \\uD800 to \\uDFFF without its pair (a lone UTF-16 surrogate) decodes "
        "to bytes no UTF-8 reader accepts";
    auto only = [](const std::string& text) {
        ParseResult r = parse_model(text);
        REQUIRE(r.diagnostics.size() == 1);
        return to_string(r.diagnostics[0]);
    };
    CHECK(only(R"({"\ude0a":{}})") == "a key" + tail);
    CHECK(only(R"({"sources":{"/srv/\udc00x":"a"}})") == "sources: a key" + tail);
    CHECK(only(R"({"serversets":{"a":{"servers":["h1","h\udfff"]}}})") == "serversets.a.servers[1]: the value" + tail);
    ParseResult pair = parse_model(R"({"node":"h\ud83d\ude00"})");
    CHECK(pair.diagnostics.empty());
    CHECK(pair.model.node == "h\xF0\x9F\x98\x80");
}

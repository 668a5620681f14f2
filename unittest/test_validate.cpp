#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "parse.hpp"
#include "validate.hpp"

using namespace clustersync;

namespace {

const std::string kKey = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
const std::string kHostRule = "(RFC 1123: dot-separated labels of 1 to 63 letters, digits and hyphens)";
const std::string kOwnerRule =
    "expected up to 32 characters of a-z, 0-9, _ and -, starting with a-z or _ (a trailing $ allowed)";

/// A valid model with one source and one two-server serverset "a"; each case changes one thing.
Model base_model() {
    Model m;
    m.node = "h1";
    m.sources = {{"/srv/a", "a"}};
    Serverset a;
    a.name = "a";
    a.servers = {"h1", "h2"};
    a.key_source = "/etc/csync2_a.key";
    m.serversets["a"] = a;
    return m;
}

Serverset& set_a(Model& m) { return m.serversets.at("a"); }

/// Adds serverset `name` (valid, two servers) and a source for it, so it draws no warning.
void add_serverset(Model& m, const std::string& name, const std::string& source) {
    Serverset s;
    s.name = name;
    s.servers = {"h1", "h2"};
    s.key_content_kind = KeyContent::External;
    m.serversets[name] = s;
    m.sources[source] = name;
}

std::vector<std::string> lines_of(const std::vector<Diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back((d.severity == Severity::Warning ? "warning: " : "") + to_string(d));
    return out;
}

std::vector<std::string> findings(const std::function<void(Model&)>& change) {
    Model m = base_model();
    change(m);
    return lines_of(validate(m));
}

/// A value for one field and the one finding it must produce, word for word.
struct Rejected {
    std::string value;
    std::string message;
};

/// Sets `value` into a fresh base model with `set`, and checks that the one finding is `message`.
void check_rejected(const std::function<void(Model&, const std::string&)>& set, const std::vector<Rejected>& cases) {
    for (const auto& c : cases) {
        INFO("value: " << c.value);
        CHECK(findings([&](Model& m) { set(m, c.value); }) == std::vector<std::string>{c.message});
    }
}

void check_accepted(const std::function<void(Model&, const std::string&)>& set, const std::vector<std::string>& values) {
    for (const auto& v : values) {
        INFO("value: " << v);
        CHECK(findings([&](Model& m) { set(m, v); }).empty());
    }
}

}  // namespace

TEST_CASE("validate: the base model is valid", "[validate]") { CHECK(findings([](Model&) {}).empty()); }

TEST_CASE("validate: node", "[validate]") {
    auto set = [](Model& m, const std::string& v) { m.node = v; };
    check_rejected(set, {
        {"", "node: \"\" is not a valid host name " + kHostRule},
        {"foo_bar", "node: \"foo_bar\" is not a valid host name " + kHostRule},
        {"foo.example.net.", "node: \"foo.example.net.\" is not a valid host name " + kHostRule},
        {"-foo", "node: \"-foo\" is not a valid host name " + kHostRule},
        {"foo-", "node: \"foo-\" is not a valid host name " + kHostRule},
        {"foo..bar", "node: \"foo..bar\" is not a valid host name " + kHostRule},
        {"foo bar", "node: \"foo bar\" is not a valid host name " + kHostRule},
        {"10.0.0.1", "node: \"10.0.0.1\" is not a valid host name " + kHostRule},
        {std::string(64, 'a'), "node: \"" + std::string(64, 'a') + "\" is not a valid host name " + kHostRule},
        {"h\n", "node: \"h\\n\" is not a valid host name " + kHostRule},
    });
    check_accepted(set, {"h1", "H1", "foo.example.net", "a", "x-1", std::string(63, 'a'), "1a", "web01.dc-2.example"});
}

TEST_CASE("validate: layout paths and logdir", "[validate]") {
    struct Field {
        const char* name;
        std::string Layout::*member;
    };
    for (const Field& f : {Field{"layout.csync2_dir", &Layout::csync2_dir}, Field{"layout.lsyncd_config", &Layout::lsyncd_config},
                           Field{"layout.csync2_bin", &Layout::csync2_bin}}) {
        const std::string n = f.name;
        auto set = [&](Model& m, const std::string& v) { m.layout.*f.member = v; };
        check_rejected(set, {
            {"", n + ": \"\" is not a normalised absolute path: it is empty"},
            {"etc", n + ": \"etc\" is not a normalised absolute path: it does not start with /"},
            {"/etc/", n + ": \"/etc/\" is not a normalised absolute path: it ends with /"},
            {"/etc/../x", n + ": \"/etc/../x\" is not a normalised absolute path: it has a \"..\" segment"},
        });
        check_accepted(set, {"/etc", "/etc/csync2", "/usr/local/sbin/csync2", "/etc/lsyncd.conf"});
    }
    SECTION("csync2_bin is one program path, no arguments, nothing a unit file or xinetd expands") {
        auto bin = [](Model& m, const std::string& v) { m.layout.csync2_bin = v; };
        const std::string tail = "; expected the path of the csync2 program alone (letters, digits, / . _ + -), no arguments";
        check_rejected(bin, {
            {"/usr/sbin/csync2 -x", "layout.csync2_bin: \"/usr/sbin/csync2 -x\" is not a program path: it contains white space" + tail},
            {"/usr/sbin/csync2\u00a0", "layout.csync2_bin: \"/usr/sbin/csync2\u00a0\" is not a program path: it contains \"\u00a0\"" + tail},
            {"/opt/%n/csync2", "layout.csync2_bin: \"/opt/%n/csync2\" is not a program path: it contains \"%\"" + tail},
            {"/opt/$HOME/csync2", "layout.csync2_bin: \"/opt/$HOME/csync2\" is not a program path: it contains \"$\"" + tail},
            {"/opt/a;b", "layout.csync2_bin: \"/opt/a;b\" is not a program path: it contains \";\"" + tail},
        });
        check_accepted(bin, {"/usr/sbin/csync2", "/opt/csync2-2.0+x/bin/csync2_real"});
    }
    auto set = [](Model& m, const std::string& v) { m.logdir = v; };
    check_rejected(set, {
        {"var/log", "logdir: \"var/log\" is not a normalised absolute path: it does not start with /"},
        {"/", "logdir: \"/\" is not a normalised absolute path: it ends with /"},
        {"/var//log", "logdir: \"/var//log\" is not a normalised absolute path: it has an empty segment (//)"},
        {"/var/./log", "logdir: \"/var/./log\" is not a normalised absolute path: it has a \".\" segment"},
        {"/var/log\t", "logdir: \"/var/log\\t\" is not a normalised absolute path: it contains a control character"},
        {"/var/\"log\"", "logdir: \"/var/\\\"log\\\"\" is not a normalised absolute path: it contains \", which a csync2 config cannot write"},
    });
    check_accepted(set, {"/var/log/lsyncd", "/var/log/sync dir", "/srv/l;o#g(s)@x"});
}

TEST_CASE("validate: sources", "[validate]") {
    // Without a tempdir: "/" holds every directory, and csync_tempdir has its own case below.
    auto set = [](Model& m, const std::string& v) {
        m.sources = {{v, "a"}};
        m.csync_tempdir.reset();
    };
    check_rejected(set, {
        {"", "sources[\"\"]: \"\" is not a normalised absolute path: it is empty"},
        {"srv/a", "sources[\"srv/a\"]: \"srv/a\" is not a normalised absolute path: it does not start with /"},
        {"./srv", "sources[\"./srv\"]: \"./srv\" is not a normalised absolute path: it does not start with /"},
        {"~/x", "sources[\"~/x\"]: \"~/x\" is not a normalised absolute path: it does not start with /"},
        {"/srv/../etc", "sources[\"/srv/../etc\"]: \"/srv/../etc\" is not a normalised absolute path: it has a \"..\" segment"},
        {"/srv/..", "sources[\"/srv/..\"]: \"/srv/..\" is not a normalised absolute path: it has a \"..\" segment"},
        {"/srv/./a", "sources[\"/srv/./a\"]: \"/srv/./a\" is not a normalised absolute path: it has a \".\" segment"},
        {"/srv/a/.", "sources[\"/srv/a/.\"]: \"/srv/a/.\" is not a normalised absolute path: it has a \".\" segment"},
        {"//srv", "sources[\"//srv\"]: \"//srv\" is not a normalised absolute path: it has an empty segment (//)"},
        {"/srv//a", "sources[\"/srv//a\"]: \"/srv//a\" is not a normalised absolute path: it has an empty segment (//)"},
        {"/srv/a//", "sources[\"/srv/a//\"]: \"/srv/a//\" is not a normalised absolute path: it has an empty segment (//)"},
        {"/srv/a\nb", "sources[\"/srv/a\\nb\"]: \"/srv/a\\nb\" is not a normalised absolute path: it contains a control character"},
        {"/srv/\x7f", "sources[\"/srv/\\u007f\"]: \"/srv/\\u007f\" is not a normalised absolute path: it contains a control character"},
        {"/srv/\"a\"", "sources[\"/srv/\\\"a\\\"\"]: \"/srv/\\\"a\\\"\" is not a normalised absolute path: it contains \", which a csync2 config cannot write"},
    });
    const std::string root = "sources[\"/\"]: \"/\" is the root directory: csync2 cannot sync it; name the directories to sync";
    const std::string long_path = "/" + std::string(4093, 'p');  // 4094 bytes: the longest
    const std::string long_name = "/srv/" + std::string(255, 'n');
    check_rejected(set, {
        {"/", root},
        {long_path + "q", "sources[\"" + long_path + "q\"]: \"" + long_path + "q\" is not a normalised absolute path: "
                          "it is 4095 bytes long, longer than 4094 (PATH_MAX less the NUL and the / lsyncd adds to a "
                          "directory)"},
        {long_name + "m", "sources[\"" + long_name + "m\"]: \"" + long_name + "m\" is not a normalised absolute path: a "
                          "segment is 256 bytes long, longer than 255 (NAME_MAX, the longest file name the kernel allows)"},
    });
    check_accepted(set, {long_path.substr(0, 255 + 1), long_name, "/srv/" + std::string(254, 'n') + "/"});
    check_accepted(set, {"/srv/a", "/srv/a/", "/srv/with space", "/srv/semi;colon#hash(paren)@at", "/srv/ünïcödé",
                         "/srv/...", "/srv/.hidden", "/srv/a-b_c.d"});

    SECTION("a source must name a declared serverset") {
        CHECK(findings([](Model& m) { m.sources["/srv/b"] = "b"; }) ==
              std::vector<std::string>{"sources[\"/srv/b\"]: \"b\" is not a declared serverset, expected one of a"});
        CHECK(findings([](Model& m) {
                  add_serverset(m, "c", "/srv/c");
                  m.sources["/srv/b"] = "A";
              }) == std::vector<std::string>{"sources[\"/srv/b\"]: \"A\" is not a declared serverset, expected one of a, c"});
        CHECK(findings([](Model& m) {
                  m.serversets.clear();
                  m.sources["/srv/a"] = "a";
              }) == std::vector<std::string>{"sources[\"/srv/a\"]: \"a\" is not a declared serverset, and no serverset is declared"});
        CHECK(findings([](Model& m) {
                  for (int i = 0; i < 11; ++i) add_serverset(m, "s" + std::to_string(i), "/srv/s" + std::to_string(i));
                  m.sources["/srv/b"] = "b";
              }) == std::vector<std::string>{"sources[\"/srv/b\"]: \"b\" is not a declared serverset"});
    }
    SECTION("two keys equal after normalisation") {
        CHECK(findings([](Model& m) { m.sources["/srv/a/"] = "a"; }) ==
              std::vector<std::string>{"sources[\"/srv/a/\"]: \"/srv/a/\" names the same directory as \"/srv/a\""});
    }
    SECTION("a source inside a source of another serverset") {
        CHECK(findings([](Model& m) {
                  add_serverset(m, "b", "/srv/a/sub");
              }) == std::vector<std::string>{"sources[\"/srv/a/sub\"]: \"/srv/a/sub\" lies inside \"/srv/a\", a source of "
                                             "serverset \"a\": two serversets would sync the same files"});
        CHECK(findings([](Model& m) {
                  add_serverset(m, "b", "/srv/a/x/y/");
              }) == std::vector<std::string>{"sources[\"/srv/a/x/y/\"]: \"/srv/a/x/y/\" lies inside \"/srv/a\", a source of "
                                             "serverset \"a\": two serversets would sync the same files"});
        CHECK(findings([](Model& m) {
                  add_serverset(m, "b", "/srv");
              }) == std::vector<std::string>{"sources[\"/srv/a\"]: \"/srv/a\" lies inside \"/srv\", a source of "
                                             "serverset \"b\": two serversets would sync the same files"});
        // The nearest enclosing source decides, past siblings that sort between them
        // ("/srv/a-b" and "/srv/a.b" sort before "/srv/a/..." byte-wise).
        CHECK(findings([](Model& m) {
                  add_serverset(m, "b", "/srv/a-b");
                  add_serverset(m, "c", "/srv/a.b");
                  m.sources["/srv/a-b/in"] = "b";
                  m.sources["/srv/a/x/y"] = "c";
              }) == std::vector<std::string>{"sources[\"/srv/a/x/y\"]: \"/srv/a/x/y\" lies inside \"/srv/a\", a source of "
                                             "serverset \"a\": two serversets would sync the same files"});
        // Nesting within one serverset is allowed, as are siblings sharing a name prefix.
        CHECK(findings([](Model& m) { m.sources["/srv/a/sub"] = "a"; }).empty());
        CHECK(findings([](Model& m) { add_serverset(m, "b", "/srv/ab"); }).empty());
        CHECK(findings([](Model& m) { add_serverset(m, "b", "/srv/a.b"); }).empty());
    }
}

TEST_CASE("validate: serverset names", "[validate]") {
    auto set = [](Model& m, const std::string& v) {
        Serverset s = set_a(m);
        s.name = v;
        m.serversets.clear();
        m.serversets[v] = s;
        m.sources = {{"/srv/a", v}};
    };
    const std::string rule =
        " is not a serverset name: expected lower-case letters and digits only ([a-z0-9]+, csync2's rule for config names)";
    check_rejected(set, {
        {"", "serversets[\"\"]: \"\"" + rule},
        {"Uploads", "serversets.Uploads: \"Uploads\"" + rule},
        {"up_loads", "serversets.up_loads: \"up_loads\"" + rule},
        {"up-loads", "serversets[\"up-loads\"]: \"up-loads\"" + rule},
        {"up.loads", "serversets[\"up.loads\"]: \"up.loads\"" + rule},
        {"up loads", "serversets[\"up loads\"]: \"up loads\"" + rule},
        {"uploadś", "serversets[\"uploadś\"]: \"uploadś\"" + rule},
    });
    check_accepted(set, {"a", "uploads", "web2", "0", "serverd"});
}

TEST_CASE("validate: servers", "[validate]") {
    auto set = [](Model& m, const std::string& v) { set_a(m).servers = {"h1", v}; };
    const std::string p = "serversets.a.servers[1]: ";
    const std::string addr = " is not an IPv4 address, IPv6 address or host name";
    check_rejected(set, {
        {"", p + "\"\" is not a valid host name " + kHostRule},
        {"h_2", p + "\"h_2\" is not a valid host name " + kHostRule},
        {"h2.", p + "\"h2.\" is not a valid host name " + kHostRule},
        {"h2:30865", p + "\"h2:30865\" is not a valid host name " + kHostRule},
        {"10.0.0.2", p + "\"10.0.0.2\" is not a valid host name " + kHostRule},
        {" h2", p + "\" h2\" is not a valid host name " + kHostRule},
        {"@10.0.0.2", p + "\"@10.0.0.2\": \"\" is not a valid host name " + kHostRule},
        {"h_2@10.0.0.2", p + "\"h_2@10.0.0.2\": \"h_2\" is not a valid host name " + kHostRule},
        {"h2@", p + "\"h2@\": \"\"" + addr},
        {"h2@10.0.0.256", p + "\"h2@10.0.0.256\": \"10.0.0.256\"" + addr},
        {"h2@10.0.0", p + "\"h2@10.0.0\": \"10.0.0\"" + addr},
        {"h2@010.0.0.2", p + "\"h2@010.0.0.2\": \"010.0.0.2\"" + addr},
        {"h2@10.0.0.2:30865", p + "\"h2@10.0.0.2:30865\": \"10.0.0.2:30865\"" + addr},
        {"h2@[fd00::2]", p + "\"h2@[fd00::2]\": \"[fd00::2]\"" + addr},
        {"h2@fd00:::2", p + "\"h2@fd00:::2\": \"fd00:::2\"" + addr},
        {"h2@fe80::1%eth0", p + "\"h2@fe80::1%eth0\": \"fe80::1%eth0\"" + addr},
        {"h2@a@b", p + "\"h2@a@b\": \"a@b\"" + addr},
        {"h2@b_c.example", p + "\"h2@b_c.example\": \"b_c.example\"" + addr},
        {"h1", p + "\"h1\" is the same host as serversets.a.servers[0], \"h1\" (csync2 compares host names lower-cased)"},
        {"H1@10.0.0.1", p + "\"H1@10.0.0.1\" is the same host as serversets.a.servers[0], \"h1\" (csync2 compares host names "
                            "lower-cased)"},
    });
    check_accepted(set, {"h2", "H2", "h2.example.net", "h2@10.0.0.2", "h2@fd00::2", "h2@::ffff:10.0.0.2", "h2@::1",
                         "h2@h2.internal", "h2@255.255.255.255", "h2@0.0.0.0", "h2@FD00:0:0:0:0:0:0:2"});

    SECTION("a bad host and a bad address in one entry are two findings") {
        CHECK(findings([](Model& m) { set_a(m).servers = {"h1", "h_2@x_y"}; }) ==
              std::vector<std::string>{p + "\"h_2@x_y\": \"h_2\" is not a valid host name " + kHostRule,
                                       p + "\"h_2@x_y\": \"x_y\"" + addr});
    }
    SECTION("fewer than two servers is a warning") {
        CHECK(findings([](Model& m) { set_a(m).servers = {"h1"}; }) ==
              std::vector<std::string>{"warning: serversets.a.servers: only 1 server: a serverset needs at least 2 to sync anything"});
        CHECK(findings([](Model& m) { set_a(m).servers.clear(); }) ==
              std::vector<std::string>{"warning: serversets.a.servers: no servers: a serverset needs at least 2 to sync anything"});
    }
}

TEST_CASE("validate: exclude patterns", "[validate]") {
    auto set = [](Model& m, const std::string& v) { set_a(m).exclude = {"*.tmp", v}; };
    const std::string p = "serversets.a.exclude[1]: ";
    check_rejected(set, {
        {"", p + "\"\" is not a writable csync2 pattern: it is empty"},
        {"a\"b", p + "\"a\\\"b\" is not a writable csync2 pattern: it contains \", which a csync2 config cannot write"},
        {"a\nb", p + "\"a\\nb\" is not a writable csync2 pattern: it contains a control character"},
        {"%pre%/x", p + "\"%pre%/x\" is not a writable csync2 pattern: it starts with %, which csync2 reads as a prefix "
                        "name (%name%), not a glob"},
        {"%", p + "\"%\" is not a writable csync2 pattern: it starts with %, which csync2 reads as a prefix name "
                  "(%name%), not a glob"},
        {std::string(4096, 'x'), p + "\"" + std::string(4096, 'x') +
                                     "\" is not a writable csync2 pattern: it is 4096 bytes long, longer than 4094 (PATH_MAX "
                                     "less the NUL and a /)"},
        {"\t", p + "\"\\t\" is not a writable csync2 pattern: it contains a control character"},
        {std::string("a\0b", 3), p + "\"a\\u0000b\" is not a writable csync2 pattern: it contains a control character"},
    });
    check_accepted(set, {"*.swp", "/srv/a/cache", "with space", "semi;colon", "#hash", "(paren)", "a@b", "*~", ".*.XXXXXX", "on", "a%b", "*%",
                         "host", "ends:"});
}

TEST_CASE("validate: auto", "[validate]") {
    auto set = [](Model& m, const std::string& v) { set_a(m).auto_resolve = v; };
    const std::string tail = " is not one of none, first, younger, older, bigger, smaller, left, right";
    check_rejected(set, {
        {"sometimes", "serversets.a.auto: \"sometimes\"" + tail},
        {"", "serversets.a.auto: \"\"" + tail},
        {"None", "serversets.a.auto: \"None\"" + tail},
        {"younger ", "serversets.a.auto: \"younger \"" + tail},
        {"newer", "serversets.a.auto: \"newer\"" + tail},
    });
    check_accepted(set, {"none", "first", "younger", "older", "bigger", "smaller", "left", "right"});
}

TEST_CASE("validate: exactly one of key_source and key_content", "[validate]") {
    CHECK(findings([](Model& m) { set_a(m).key_content_kind = KeyContent::External; }) ==
          std::vector<std::string>{"serversets.a: key_source and key_content are both given, expected exactly one"});
    CHECK(findings([](Model& m) {
              set_a(m).key_content_kind = KeyContent::Inline;
              set_a(m).key_content = kKey;
          }) == std::vector<std::string>{"serversets.a: key_source and key_content are both given, expected exactly one"});
    CHECK(findings([](Model& m) { set_a(m).key_source.reset(); }) ==
          std::vector<std::string>{"serversets.a: neither key_source nor key_content is given, expected exactly one"});
    CHECK(findings([](Model& m) {
              set_a(m).key_source.reset();
              set_a(m).key_content_kind = KeyContent::External;
          }).empty());
}

TEST_CASE("validate: key_source", "[validate]") {
    auto set = [](Model& m, const std::string& v) { set_a(m).key_source = v; };
    const std::string p = "serversets.a.key_source: ";
    const std::string expected = " is not a key source: expected puppet:///..., file:///... or an absolute path";
    const std::string bad_path = " is not a key source: its path is not a normalised absolute path: ";
    check_rejected(set, {
        {"", p + "\"\"" + expected},
        {"csync2_a.key", p + "\"csync2_a.key\"" + expected},
        {"puppet://", p + "\"puppet://\"" + expected},
        {"puppet:///", p + "\"puppet:///\"" + expected},
        {"puppet:////x", p + "\"puppet:////x\"" + expected},
        {"puppet://server/modules/x/a.key", p + "\"puppet://server/modules/x/a.key\"" + expected},
        {"puppet:///modules/x/a key", p + "\"puppet:///modules/x/a key\"" + expected},
        {"http://example.net/a.key", p + "\"http://example.net/a.key\"" + expected},
        {"file://", p + "\"file://\"" + bad_path + "it is empty"},
        {"file://host/a.key", p + "\"file://host/a.key\"" + bad_path + "it does not start with /"},
        {"file:///etc/../a.key", p + "\"file:///etc/../a.key\"" + bad_path + "it has a \"..\" segment"},
        {"/etc/keys/", p + "\"/etc/keys/\"" + bad_path + "it ends with /"},
        {"/etc//a.key", p + "\"/etc//a.key\"" + bad_path + "it has an empty segment (//)"},
        {"/etc/a\".key", p + "\"/etc/a\\\".key\"" + bad_path + "it contains \", which a csync2 config cannot write"},
    });
    check_accepted(set, {"puppet:///mnt/csync2_uploads.key", "puppet:///modules/site/csync2/a.key", "file:///etc/csync2_a.key",
                         "/etc/csync2_a.key", "/root/keys/a key"});
}

TEST_CASE("validate: key_content follows csync2's key rule and is never echoed", "[validate]") {
    auto set = [](Model& m, const std::string& v) {
        set_a(m).key_source.reset();
        set_a(m).key_content_kind = KeyContent::Inline;
        set_a(m).key_content = v;
    };
    const std::string p = "serversets.a.key_content: ";
    const std::string chars = ": expected only A-Z, a-z, 0-9, . and _";
    const std::string k31 = kKey.substr(0, 31);
    check_rejected(set, {
        {"", p + "the key is 0 characters long, expected at least 32 (csync2 -k writes 64)"},
        {"\n" + kKey, p + "the key is 0 characters long, expected at least 32 (csync2 -k writes 64)"},
        {k31, p + "the key is 31 characters long, expected at least 32 (csync2 -k writes 64)"},
        {k31 + "\n" + kKey, p + "the key is 31 characters long, expected at least 32 (csync2 -k writes 64)"},
        {"-" + kKey, p + "the key has a character csync2 does not allow at position 1 of 65" + chars},
        {kKey + " ", p + "the key has a character csync2 does not allow at position 65 of 65" + chars},
        {"abc+def/ghijklmnopqrstuvwxyz0123456789==", p + "the key has a character csync2 does not allow at position 4 of 40" + chars},
        {kKey.substr(0, 40) + "\t" + kKey.substr(40), p + "the key has a character csync2 does not allow at position 41 of 65" + chars},
        {kKey + "\r\n", p + "the key's first line ends with CRLF, which csync2 rejects: expected a Unix line end"},
        {kKey + "\r", p + "the key's first line ends with CRLF, which csync2 rejects: expected a Unix line end"},
        {kKey.substr(0, 10) + "\xc3\xa9" + kKey.substr(10),
         p + "the key has a character csync2 does not allow at position 11 of 66" + chars},
    });
    check_accepted(set, {kKey, kKey + "\n", kKey.substr(0, 32), kKey + "\nsecond line: ignored by csync2 !@#", "................................"});

    SECTION("several problems with one key are all reported") {
        CHECK(findings([&](Model& m) { set(m, "s3cr3t-value\r\n"); }) ==
              std::vector<std::string>{
                  p + "the key's first line ends with CRLF, which csync2 rejects: expected a Unix line end",
                  p + "the key has a character csync2 does not allow at position 7 of 12" + chars,
                  p + "the key is 12 characters long, expected at least 32 (csync2 -k writes 64)"});
    }
}

TEST_CASE("validate: a bad key_content never appears in any message", "[validate]") {
    // Secrets shaped to trip every key check, and a model that is wrong everywhere else too,
    // so every message the validator can write about a serverset is produced.
    const std::vector<std::string> secrets = {"Tr0ub4dor&3-s3cr3t", "s3cr3tKEYs3cr3tKEYs3cr3tKEYs3cr3t!\r\nxyz",
                                              "short", "s3cr3t s3cr3t s3cr3t s3cr3t s3cr3t s3cr3t"};
    for (const auto& secret : secrets) {
        for (const char* name : {"a", "Bad_Name"}) {
            Model m = base_model();
            Serverset& a = set_a(m);
            a.key_content_kind = KeyContent::Inline;
            a.key_content = secret;
            a.servers = {"x_y@" + secret, secret};
            a.auto_resolve = "sometimes";
            a.exclude = {""};
            Serverset renamed = a;
            renamed.name = name;
            m.serversets.clear();
            m.serversets[name] = renamed;
            m.sources["/srv/b"] = "b";
            const auto ds = validate(m);
            REQUIRE(ds.size() >= 5);
            for (const auto& d : ds) {
                if (d.path.find("servers") != std::string::npos) continue;  // servers are not secret
                INFO(to_string(d));
                CHECK(to_string(d).find(secret.substr(0, 5)) == std::string::npos);
            }
        }
    }
    // And parse never echoes it either, whatever JSON type it has.
    for (const char* json : {R"({"serversets": {"a": {"servers": [], "key_content": 123456789}}})",
                             R"({"serversets": {"a": {"servers": [], "key_content": ["123456789"]}}})",
                             R"({"serversets": {"a": {"servers": [], "key_content": {"k": "123456789"}}}})"}) {
        for (const auto& d : parse_model(json).diagnostics) CHECK(to_string(d).find("12345") == std::string::npos);
    }
}

TEST_CASE("validate: logdir owner, group and mode", "[validate]") {
    auto owner = [](Model& m, const std::string& v) { m.logdir_owner = v; };
    auto group = [](Model& m, const std::string& v) { m.logdir_group = v; };
    check_rejected(owner, {
        {"", "logdir_owner: \"\" is not a POSIX user name: " + kOwnerRule},
        {"Root", "logdir_owner: \"Root\" is not a POSIX user name: " + kOwnerRule},
        {"-root", "logdir_owner: \"-root\" is not a POSIX user name: " + kOwnerRule},
        {"1000", "logdir_owner: \"1000\" is not a POSIX user name: " + kOwnerRule},
        {"www data", "logdir_owner: \"www data\" is not a POSIX user name: " + kOwnerRule},
        {"a$b", "logdir_owner: \"a$b\" is not a POSIX user name: " + kOwnerRule},
        {std::string(33, 'a'), "logdir_owner: \"" + std::string(33, 'a') + "\" is not a POSIX user name: " + kOwnerRule},
    });
    check_rejected(group, {
        {"adm:adm", "logdir_group: \"adm:adm\" is not a POSIX group name: " + kOwnerRule},
        {"wheel\n", "logdir_group: \"wheel\\n\" is not a POSIX group name: " + kOwnerRule},
    });
    check_accepted(owner, {"root", "www-data", "_apt", "systemd-network", "host$", std::string(32, 'a'), "a1"});
    check_accepted(group, {"root", "adm", "www-data"});

    auto mode = [](Model& m, const std::string& v) { m.logdir_mode = v; };
    const std::string tail = " is not an octal mode: expected 3 or 4 octal digits, such as \"0755\"";
    check_rejected(mode, {
        {"", "logdir_mode: \"\"" + tail},
        {"0788", "logdir_mode: \"0788\"" + tail},
        {"75", "logdir_mode: \"75\"" + tail},
        {"00755", "logdir_mode: \"00755\"" + tail},
        {"u=rwx", "logdir_mode: \"u=rwx\"" + tail},
        {"0x1ed", "logdir_mode: \"0x1ed\"" + tail},
        {" 755", "logdir_mode: \" 755\"" + tail},
    });
    check_accepted(mode, {"0755", "755", "0644", "2775", "000", "7777"});
}

TEST_CASE("validate: csync_port and lsyncd_delay", "[validate]") {
    auto port = [](Model& m, const std::string& v) { m.csync_port = v; };
    const std::string pt = " is not a port: expected an integer from 1 to 65535";
    check_rejected(port, {
        {"0", "csync_port: \"0\"" + pt},
        {"65536", "csync_port: \"65536\"" + pt},
        {"-1", "csync_port: \"-1\"" + pt},
        {"", "csync_port: \"\"" + pt},
        {"abc", "csync_port: \"abc\"" + pt},
        {"30865 ", "csync_port: \"30865 \"" + pt},
        {"3e4", "csync_port: \"3e4\"" + pt},
        {"18446744073709551617", "csync_port: \"18446744073709551617\"" + pt},
    });
    check_accepted(port, {"1", "30865", "65535", "030865"});

    auto delay = [](Model& m, const std::string& v) { m.lsyncd_delay = v; };
    const std::string dt = " is not a delay: expected seconds from 0 to 86400, with at most 3 decimals (e.g. 0.2)";
    check_rejected(delay, {
        {"86401", "lsyncd_delay: \"86401\"" + dt},
        {"86400.001", "lsyncd_delay: \"86400.001\"" + dt},
        {"-1", "lsyncd_delay: \"-1\"" + dt},
        {"0.0001", "lsyncd_delay: \"0.0001\"" + dt},
        {"1e-07", "lsyncd_delay: \"1e-07\"" + dt},
        {".5", "lsyncd_delay: \".5\"" + dt},
        {"1.", "lsyncd_delay: \"1.\"" + dt},
        {"", "lsyncd_delay: \"\"" + dt},
        {"1s", "lsyncd_delay: \"1s\"" + dt},
    });
    check_accepted(delay, {"0", "1", "15", "86400", "0.2", "1.5", "0.125", "86400.0", "86400.000"});
}

TEST_CASE("validate: csync_only_from", "[validate]") {
    auto set = [](Model& m, const std::string& v) { m.csync_only_from = v; };
    const std::string p = "csync_only_from: ";
    const std::string any = ": expected an IPv4 or IPv6 address or CIDR block";
    check_rejected(set, {
        {"", p + "\"\" lists no address: expected space-separated IPv4/IPv6 addresses and CIDR blocks (leave it out to "
                 "accept any address)"},
        {"   ", p + "\"   \" lists no address: expected space-separated IPv4/IPv6 addresses and CIDR blocks (leave it out to "
                    "accept any address)"},
        {"10.0.0.0/33", p + "entry 1, \"10.0.0.0/33\": the prefix length of an IPv4 block is 0 to 32"},
        {"10.0.0.0/", p + "entry 1, \"10.0.0.0/\"" + any},
        {"10.0.0.0/024", p + "entry 1, \"10.0.0.0/024\"" + any},
        {"10.0.0.0/-1", p + "entry 1, \"10.0.0.0/-1\"" + any},
        {"10.0.0.0/8/8", p + "entry 1, \"10.0.0.0/8/8\"" + any},
        {"fd00::/129", p + "entry 1, \"fd00::/129\": the prefix length of an IPv6 block is 0 to 128"},
        {"fd00::/1000", p + "entry 1, \"fd00::/1000\": the prefix length of an IPv6 block is 0 to 128"},
        {"10.0.100.0/24 10.0.300.0/24", p + "entry 2, \"10.0.300.0/24\"" + any},
        {"10.0.100.0/24,10.0.200.0/24", p + "entry 1, \"10.0.100.0/24,10.0.200.0/24\"" + any},
        {"10.0.0.0/24\t10.1.0.0/24", p + "entry 1, \"10.0.0.0/24\\t10.1.0.0/24\"" + any},
        {"localhost", p + "entry 1, \"localhost\"" + any},
        {"/24", p + "entry 1, \"/24\"" + any},
        {"10.0.0.*", p + "entry 1, \"10.0.0.*\"" + any},
        {"fd00::g/64", p + "entry 1, \"fd00::g/64\"" + any},
    });
    check_accepted(set, {"10.0.100.0/24 10.0.200.0/24", "10.0.0.1", "0.0.0.0/0", "::/0", "fd00::/8 10.0.0.0/8",
                         " 10.0.0.1  10.0.0.2 ", "::1", "::ffff:10.0.0.1/128", "192.168.1.1/32"});
    SECTION("every bad entry is reported") {
        CHECK(findings([&](Model& m) { set(m, "x 10.0.0.0/8 10.0.0.0/40"); }) ==
              std::vector<std::string>{p + "entry 1, \"x\"" + any,
                                       p + "entry 3, \"10.0.0.0/40\": the prefix length of an IPv4 block is 0 to 32"});
    }
}

TEST_CASE("validate: a serverset no source names draws a warning", "[validate]") {
    CHECK(findings([](Model& m) {
              add_serverset(m, "b", "/srv/b");
              m.sources.erase("/srv/b");
          }) == std::vector<std::string>{"warning: serversets.b: no source names serverset \"b\": it syncs nothing"});
    // Warnings alone leave the model valid.
    Model m = base_model();
    set_a(m).servers = {"h1"};
    CHECK_FALSE(has_errors(validate(m)));
}

TEST_CASE("validate: every problem is reported in one run, in a stable order", "[validate]") {
    const auto parsed = parse_model(R"({
        "node": "web_1",
        "layout": {"csync2_dir": "etc"},
        "sources": {"/srv/up": "uploads", "/srv/up/": "uploads", "/srv/up/inner": "other", "srv/x": "ghost"},
        "logdir_owner": "Root",
        "logdir_mode": "999",
        "csync_port": 70000,
        "csync_only_from": "10.0.0.0/99",
        "lsyncd_delay": "-3",
        "serversets": {
            "uploads": {"servers": ["foo@10.0.0.1", "FOO@10.0.0.2", "bar@300.1.1.1"], "auto": "sometimes",
                        "exclude": ["a\"b"], "key_source": "x.key", "key_content": true},
            "other": {"servers": ["solo"], "key_content": "too short"},
            "unused": {"servers": ["a", "b"], "key_content": true}
        }
    })");
    REQUIRE(parsed.diagnostics.empty());
    const std::vector<std::string> expected = {
        "node: \"web_1\" is not a valid host name " + kHostRule,
        "layout.csync2_dir: \"etc\" is not a normalised absolute path: it does not start with /",
        "sources[\"/srv/up/\"]: \"/srv/up/\" names the same directory as \"/srv/up\"",
        "sources[\"srv/x\"]: \"srv/x\" is not a normalised absolute path: it does not start with /",
        "sources[\"srv/x\"]: \"ghost\" is not a declared serverset, expected one of other, unused, uploads",
        "sources[\"/srv/up/inner\"]: \"/srv/up/inner\" lies inside \"/srv/up\", a source of serverset \"uploads\": two "
        "serversets would sync the same files",
        "logdir_owner: \"Root\" is not a POSIX user name: " + kOwnerRule,
        "logdir_mode: \"999\" is not an octal mode: expected 3 or 4 octal digits, such as \"0755\"",
        "csync_port: \"70000\" is not a port: expected an integer from 1 to 65535",
        "csync_only_from: entry 1, \"10.0.0.0/99\": the prefix length of an IPv4 block is 0 to 32",
        "lsyncd_delay: \"-3\" is not a delay: expected seconds from 0 to 86400, with at most 3 decimals (e.g. 0.2)",
        "warning: serversets.other.servers: only 1 server: a serverset needs at least 2 to sync anything",
        "serversets.other.key_content: the key has a character csync2 does not allow at position 4 of 9: expected only A-Z, "
        "a-z, 0-9, . and _",
        "serversets.other.key_content: the key is 9 characters long, expected at least 32 (csync2 -k writes 64)",
        "warning: serversets.unused: no source names serverset \"unused\": it syncs nothing",
        "serversets.uploads.servers[1]: \"FOO@10.0.0.2\" is the same host as serversets.uploads.servers[0], \"foo@10.0.0.1\" "
        "(csync2 compares host names lower-cased)",
        "serversets.uploads.servers[2]: \"bar@300.1.1.1\": \"300.1.1.1\" is not an IPv4 address, IPv6 address or host name",
        "serversets.uploads.exclude[0]: \"a\\\"b\" is not a writable csync2 pattern: it contains \", which a csync2 config "
        "cannot write",
        "serversets.uploads.auto: \"sometimes\" is not one of none, first, younger, older, bigger, smaller, left, right",
        "serversets.uploads: key_source and key_content are both given, expected exactly one",
        "serversets.uploads.key_source: \"x.key\" is not a key source: expected puppet:///..., file:///... or an absolute path",
    };
    CHECK(lines_of(validate(parsed.model)) == expected);
}

TEST_CASE("validate: csync_tempdir", "[validate]") {
    auto set = [](Model& m, const std::string& v) { m.csync_tempdir = v; };
    const std::string shared =
        " is shared with other users: csync2 needs a directory of its own (the module makes it root-only, 0700), "
        "such as \"/var/lib/csync2/clustersync-tmp\"";
    check_rejected(set, {
        {"", "csync_tempdir: \"\" is not a normalised absolute path: it is empty"},
        {"tmp", "csync_tempdir: \"tmp\" is not a normalised absolute path: it does not start with /"},
        {"/var/lib/x/", "csync_tempdir: \"/var/lib/x/\" is not a normalised absolute path: it ends with /"},
        {"/var/../tmp", "csync_tempdir: \"/var/../tmp\" is not a normalised absolute path: it has a \"..\" segment"},
        {"/tmp", "csync_tempdir: \"/tmp\"" + shared},
        {"/var/tmp", "csync_tempdir: \"/var/tmp\"" + shared},
        {"/dev/shm", "csync_tempdir: \"/dev/shm\"" + shared},
        {"/run", "csync_tempdir: \"/run\"" + shared},
    });
    check_accepted(set, {"/var/lib/csync2/clustersync-tmp", "/srv/csync2 tmp", "/tmp/csync2", "/srv/ab", "/srv"});
    CHECK(findings([](Model& m) { m.csync_tempdir.reset(); }).empty());

    SECTION("within a source: a warning, that serverset goes without it") {
        const std::string tail =
            ", a source of serverset \"a\": that serverset's csync2 keeps its scratch files beside each file, "
            "where lsyncd sees them; choose a directory outside every source";
        CHECK(findings([](Model& m) { m.csync_tempdir = "/srv/a/.tmp"; }) ==
              std::vector<std::string>{"warning: csync_tempdir: \"/srv/a/.tmp\" lies within \"/srv/a\"" + tail});
        CHECK(findings([](Model& m) { m.csync_tempdir = "/srv/a"; }) ==
              std::vector<std::string>{"warning: csync_tempdir: \"/srv/a\" lies within \"/srv/a\"" + tail});
        CHECK(findings([](Model& m) {
                  m.sources = {{"/var", "a"}};
              }) == std::vector<std::string>{"warning: csync_tempdir: \"/var/lib/csync2/clustersync-tmp\" lies within \"/var\"" + tail});
    }
}

TEST_CASE("validate: how many servers and csync2 lines one serverset may have", "[validate][hostile]") {
    auto servers = [](std::size_t n) {
        std::vector<std::string> list;
        for (std::size_t i = 0; i < n; ++i) list.push_back("h" + std::to_string(i + 1));
        return list;
    };
    CHECK(findings([&](Model& m) { set_a(m).servers = servers(1000); }).empty());
    CHECK(findings([&](Model& m) { set_a(m).servers = servers(1001); }) ==
          std::vector<std::string>{"serversets.a.servers: 1001 servers, more than 1000 (each member runs a push lane per peer)"});
    // csync2 2.0 reads 4,998 lines of a group and fails near 5,000: the limit keeps a margin.
    CHECK(findings([&](Model& m) { set_a(m).exclude = std::vector<std::string>(3997, "*.x"); }).empty());
    CHECK(findings([&](Model& m) { set_a(m).exclude = std::vector<std::string>(3998, "*.x"); }) ==
          std::vector<std::string>{"serversets.a: 2 servers, 3998 excludes and 1 sources make 4001 lines of one csync2 "
                                   "group, more than 4000 (csync2 2.0 fails with \"memory exhausted\" near 5,000)"});
    CHECK(findings([&](Model& m) {
              set_a(m).servers = servers(1000);
              set_a(m).exclude = std::vector<std::string>(2999, "*.x");
              m.sources["/srv/b"] = "a";
          }) == std::vector<std::string>{"serversets.a: 1000 servers, 2999 excludes and 2 sources make 4001 lines of one "
                                         "csync2 group, more than 4000 (csync2 2.0 fails with \"memory exhausted\" near "
                                         "5,000)"});
}

TEST_CASE("validate: deep and long sources take linear time", "[validate][hostile]") {
    // 300,000 segments used to take 11 s (each parent copied); now rejected at once by length,
    // and the longest accepted paths, many of them, check quickly (ctest's timeout bounds it).
    std::string deep;
    for (int i = 0; i < 300000; ++i) deep += "/a";
    auto f = findings([&](Model& m) { m.sources[deep] = "a"; });
    REQUIRE(f.size() == 1);
    const std::string shown = "\"" + deep.substr(0, 64) + "...\" (600000 bytes)";
    CHECK(f[0] == "sources[" + shown + "]: " + shown + " is not a normalised absolute path: it is 600000 bytes long, longer "
                  "than 4094 (PATH_MAX less the NUL and the / lsyncd adds to a directory)");
    std::string longest;
    while (longest.size() + 2 <= 4094) longest += "/a";
    CHECK(findings([&](Model& m) {
              for (int i = 0; i < 2000; ++i) m.sources[longest.substr(0, longest.size() - 6) + "/b" + std::to_string(i)] = "a";
              add_serverset(m, "b", longest);
          }).size() == 0);
}

TEST_CASE("validate: messages never cut a UTF-8 character", "[validate][hostile]") {
    // A lone byte of a character made the bundle invalid UTF-8 (found by fuzz/fuzz_model).
    auto valid_utf8 = [](const std::string& s) {
        for (std::size_t i = 0; i < s.size();) {
            const auto c = static_cast<unsigned char>(s[i]);
            const std::size_t n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 9;
            if (n == 9 || i + n >= s.size() + (n == 0 ? 1 : 0)) return false;
            for (std::size_t k = 1; k <= n; ++k)
                if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
            i += n + 1;
        }
        return true;
    };
    for (const auto& f : findings([](Model& m) { m.layout.csync2_bin = "/usr\xCA\x8C" "bin/csync2"; })) {
        CHECK(valid_utf8(f));
        CHECK(f.find("it contains \"\xCA\x8C\"") != std::string::npos);
    }
    // A value over 8 KiB is shown by its start: 63 bytes here, since byte 64 is inside "é".
    const std::string source = "/" + std::string(62, 'a') + "\xC3\xA9" + std::string(9000, 'b');
    const auto f = findings([&](Model& m) { m.sources = {{source, "a"}}; });
    REQUIRE(f.size() == 1);
    CHECK(valid_utf8(f[0]));
    CHECK(f[0].rfind("sources[\"/" + std::string(62, 'a') + "...\" (9065 bytes)]", 0) == 0);
}

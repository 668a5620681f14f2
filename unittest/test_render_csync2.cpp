// csync2 group files: the word quoting table and the file layout. Whole files are pinned by
// the golden tests (test_render.cpp); the real csync2 parser reads them in check_real.sh.
#include <catch2/catch.hpp>

#include <string>

#include "csync2_word.hpp"
#include "render.hpp"

using namespace clustersync;

TEST_CASE("csync2 words stay bare when the scanner reads them back unchanged", "[csync2]") {
    for (const char* word : {"/var/uploads", "*.tmp", "foo.example.net", "10.0.100.1", "fd00::1", "a:b", "/srv/x:y/z",
                             "/srv/é日本", "hosts", "includes", "configs", "{a", "a}", "back\\slash", "'single'",
                             "$dollar", "[[x]]", "*", "none"}) {
        INFO(word);
        CHECK(csync2_word(word) == word);
    }
}

TEST_CASE("csync2 words that the scanner would split, drop or read as a token are quoted", "[csync2]") {
    const std::pair<const char*, const char*> table[] = {
        {"/srv/with space", "\"/srv/with space\""},
        {"/srv/tab\there", "\"/srv/tab\there\""},
        {"/srv/a@b", "\"/srv/a@b\""},
        {"/srv/a;b", "\"/srv/a;b\""},
        {"/srv/a(b", "\"/srv/a(b\""},
        {"/srv/a)b", "\"/srv/a)b\""},
        {"/srv/a#b", "\"/srv/a#b\""},
        {"#comment", "\"#comment\""},
        {"/srv/ends:", "\"/srv/ends:\""},
        {"fd00::", "\"fd00::\""},
        {"include", "\"include\""},
        {"exclude", "\"exclude\""},
        {"on", "\"on\""},
        {"host", "\"host\""},
        {"key", "\"key\""},
        {"auto", "\"auto\""},
        {"group", "\"group\""},
        {"config", "\"config\""},
        {"do-local", "\"do-local\""},
        {"backup-generations", "\"backup-generations\""},
        {"{", "\"{\""},
        {"}", "\"}\""},
        {"", "\"\""},
    };
    for (const auto& [word, expected] : table) {
        INFO(word);
        CHECK(csync2_word(word) == expected);
    }
}

namespace {

NodePlan one_group_plan() {
    NodePlan plan;
    plan.node = "web1";
    GroupPlan g;
    g.name = "www";
    g.hosts = {{"web1", ""}, {"web2", "198.18.0.2"}};
    g.includes = {"/srv/www", "/srv/with space"};
    g.excludes = {"*.tmp", "on"};
    g.auto_resolve = "none";
    g.config_file = "/etc/csync2_www.cfg";
    g.key_file = "/etc/csync2_www.key";
    plan.groups.push_back(g);
    return plan;
}

}  // namespace

TEST_CASE("a csync2 group file has header, nossl, hosts, key, includes, excludes and auto in order", "[csync2]") {
    const NodePlan plan = one_group_plan();
    CHECK(render_csync2(plan, plan.groups[0]) ==
          "# Managed by Puppet (clustersync): local changes are overwritten.\n"
          "# The same file is on every host of the group; csync2 -C NAME reads it on both ends.\n"
          "nossl * *;\n"
          "\n"
          "group www\n"
          "{\n"
          "\thost web1;\n"
          "\thost web2@198.18.0.2;\n"
          "\tkey /etc/csync2_www.key;\n"
          "\tinclude /srv/www;\n"
          "\tinclude \"/srv/with space\";\n"
          "\texclude *.tmp;\n"
          "\texclude \"on\";\n"
          "\tauto none;\n"
          "}\n");
}

TEST_CASE("with ssl there is no nossl line", "[csync2]") {
    NodePlan plan = one_group_plan();
    plan.ssl = true;
    const std::string text = render_csync2(plan, plan.groups[0]);
    CHECK(text.find("nossl") == std::string::npos);
    CHECK(text.find("group www\n{\n") != std::string::npos);
}

TEST_CASE("include paths are fnmatch patterns: glob characters and backslash are escaped", "[csync2]") {
    const std::pair<const char*, const char*> table[] = {
        {"/var/uploads", "/var/uploads"},
        {"/srv/a*b", "/srv/a\\*b"},
        {"/srv/a?b", "/srv/a\\?b"},
        {"/srv/[x]", "/srv/\\[x]"},
        {"/srv/back\\slash", "/srv/back\\\\slash"},
        {"/srv/**", "/srv/\\*\\*"},  // no "**" left, which would make every * cross '/'
        {"/srv/]{}!^", "/srv/]{}!^"},
    };
    for (const auto& [path, expected] : table) {
        INFO(path);
        CHECK(fnmatch_literal(path) == expected);
    }
}

TEST_CASE("a tempdir comes before the group, quoted like any word", "[csync2]") {
    NodePlan plan = one_group_plan();
    plan.groups[0].tempdir = "/var/lib/csync2/clustersync-tmp";
    CHECK(render_csync2(plan, plan.groups[0]).find("nossl * *;\ntempdir /var/lib/csync2/clustersync-tmp;\n\ngroup www\n") !=
          std::string::npos);
    plan.groups[0].tempdir = "/srv/csync2 tmp";
    CHECK(render_csync2(plan, plan.groups[0]).find("\ntempdir \"/srv/csync2 tmp\";\n") != std::string::npos);
    plan.groups[0].tempdir.clear();
    CHECK(render_csync2(plan, plan.groups[0]).find("tempdir") == std::string::npos);
}

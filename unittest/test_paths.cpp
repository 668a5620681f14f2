#include <catch2/catch.hpp>

#include <string>

#include "paths.hpp"

using namespace clustersync;

TEST_CASE("paths: normalise_path drops one trailing slash and nothing else", "[paths]") {
    struct Case {
        const char* in;
        const char* out;
    };
    static const Case cases[] = {
        {"/var/uploads/", "/var/uploads"}, {"/var/uploads", "/var/uploads"}, {"/", "/"},
        {"/a/b/c/", "/a/b/c"},             {"/with space/", "/with space"},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(normalise_path(c.in) == c.out);
    }
}

TEST_CASE("paths: path_problem names what is wrong", "[paths]") {
    struct Case {
        std::string in;
        const char* problem;
    };
    const Case cases[] = {
        {"", "it is empty"},
        {"var", "it does not start with /"},
        {"./var", "it does not start with /"},
        {"/var/\x01", "it contains a control character"},
        {std::string("/var/\0", 6), "it contains a control character"},
        {"/var/\"q\"", "it contains \", which a csync2 config cannot write"},
        {"//", "it has an empty segment (//)"},
        {"/a//b", "it has an empty segment (//)"},
        {"/a/b//", "it has an empty segment (//)"},
        {"/.", "it has a \".\" segment"},
        {"/a/./b", "it has a \".\" segment"},
        {"/..", "it has a \"..\" segment"},
        {"/a/b/../", "it has a \"..\" segment"},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(path_problem(c.in) == std::optional<std::string>(c.problem));
    }
    for (const char* ok : {"/", "/a", "/a/", "/a/b", "/.a", "/a./b..", "/...", "/a b/c;d", "/ünï"}) {
        INFO(ok);
        CHECK_FALSE(path_problem(ok));
    }
}

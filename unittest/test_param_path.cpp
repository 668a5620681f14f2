#include <catch2/catch.hpp>

#include "param_path.hpp"

using namespace clustersync;

TEST_CASE("param_path: plain keys are dotted, others bracketed and quoted", "[param_path]") {
    CHECK(member_path("", "node") == "node");
    CHECK(member_path("serversets", "uploads") == "serversets.uploads");
    CHECK(member_path("serversets.uploads", "key_source") == "serversets.uploads.key_source");
    CHECK(member_path("serversets", "Up_2") == "serversets.Up_2");
    CHECK(member_path("sources", "/var/uploads") == "sources[\"/var/uploads\"]");
    CHECK(member_path("serversets", "up.loads") == "serversets[\"up.loads\"]");
    CHECK(member_path("serversets", "") == "serversets[\"\"]");
    CHECK(member_path("", "log dir") == "[\"log dir\"]");
    CHECK(member_path("sources", "/a\"b\n") == "sources[\"/a\\\"b\\n\"]");
    CHECK(element_path("serversets.uploads.servers", 2) == "serversets.uploads.servers[2]");
    CHECK(element_path(member_path("serversets", "x-y") + ".exclude", 0) == "serversets[\"x-y\"].exclude[0]");
}

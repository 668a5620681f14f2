// render_node, render_bundle, and the golden files.
//
// Golden files: every directory unittest/golden/CASE/ holds model.json (a whole model, "node"
// included) and expected/: `index` (one "ID<TAB>PATH" line per rendered file), `sources` (one
// "GROUP<TAB>PATH" line per source the node syncs; check_real.sh creates those directories),
// `bundle.json` (what `clustersync-helper bundle` prints) and one file per rendered file, named
// after its id with ':' as '_' (csync2_NAME, lsyncd). They are compared byte for byte.
//
// Re-bless after an intended change of the output, then review the diff before committing:
//     CLUSTERSYNC_BLESS=1 ./build/unittest/clustersync_tests "[golden]"
//     git diff unittest/golden
// check_real.sh (CTest: real_csync2_*, real_lsyncd_*) then feeds the blessed files to the real
// csync2 parser and the real lsyncd.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "parse.hpp"
#include "plan.hpp"
#include "render.hpp"
#include "validate.hpp"

using namespace clustersync;
namespace fs = std::filesystem;

namespace {

NodePlan small_plan() {
    NodePlan plan;
    plan.node = "web1";
    GroupPlan g;
    g.name = "www";
    g.hosts = {{"web1", ""}, {"web2", ""}};
    g.includes = {"/srv/www"};
    g.auto_resolve = "none";
    g.config_file = "/etc/csync2_www.cfg";
    g.key_file = "/etc/csync2_www.key";
    plan.groups.push_back(g);
    return plan;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

/// Everything the golden files pin for one model: file name in expected/ -> content.
std::map<std::string, std::string> render_case(const std::string& model_text) {
    ParseResult parsed = parse_model(model_text);
    std::vector<Diagnostic> diagnostics = parsed.diagnostics;
    if (!has_errors(diagnostics)) {
        auto more = validate(parsed.model);
        diagnostics.insert(diagnostics.end(), more.begin(), more.end());
    }
    for (const auto& d : diagnostics) UNSCOPED_INFO(to_string(d));
    REQUIRE_FALSE(has_errors(diagnostics));

    const NodePlan plan = plan_node(parsed.model);
    const auto files = render_node(plan);
    std::map<std::string, std::string> out;
    std::string index, sources;
    for (const auto& f : files) {
        index += f.id + "\t" + f.path + "\n";
        std::string name = f.id;
        std::replace(name.begin(), name.end(), ':', '_');
        out[name] = f.content;
    }
    for (const auto& g : plan.groups)
        for (const auto& s : g.includes) sources += g.name + "\t" + s + "\n";
    out["index"] = index;
    out["sources"] = sources;
    out["bundle.json"] = render_bundle(diagnostics, files, &plan);
    return out;
}

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(CLUSTERSYNC_GOLDEN_DIR))
        if (entry.is_directory() && fs::exists(entry.path() / "model.json")) cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    return cases;
}

}  // namespace

TEST_CASE("render_node: csync2 files sorted by group, then lsyncd's config", "[render]") {
    NodePlan plan = small_plan();
    GroupPlan other = plan.groups[0];
    other.name = "api";
    other.config_file = "/etc/csync2_api.cfg";
    plan.groups.insert(plan.groups.begin(), other);
    plan.layout.lsyncd_config = "/etc/lsyncd.conf";
    const auto files = render_node(plan);
    REQUIRE(files.size() == 3);
    CHECK(files[0].id == "csync2:api");
    CHECK(files[0].path == "/etc/csync2_api.cfg");
    CHECK(files[0].content == render_csync2(plan, plan.groups[0]));
    CHECK(files[1].id == "csync2:www");
    CHECK(files[2].id == "lsyncd");
    CHECK(files[2].path == "/etc/lsyncd.conf");
    CHECK(files[2].content == render_lsyncd(plan));
}

TEST_CASE("render_node: a node in no group gets no files", "[render]") {
    NodePlan plan;
    plan.node = "nobody";
    CHECK(render_node(plan).empty());
}

TEST_CASE("render_bundle with errors: every error and warning, nothing else", "[render]") {
    const std::vector<Diagnostic> ds = {
        {Severity::Error, "serversets.a.servers[1]", "bad \"x\""},
        {Severity::Warning, "serversets.b", "no source names it"},
        {Severity::Error, "", "whole document"},
    };
    CHECK(render_bundle(ds, {}, nullptr) ==
          "{\"errors\":[\"serversets.a.servers[1]: bad \\\"x\\\"\",\"whole document\"],"
          "\"warnings\":[\"serversets.b: no source names it\"],"
          "\"node\":\"\",\"only_from\":null,\"serversets\":[],\"files\":[]}\n");
}

TEST_CASE("render_bundle: node, serversets with their key and database files, and every file", "[render]") {
    const NodePlan plan = small_plan();
    const std::vector<RenderedFile> files = {{"csync2:www", "/etc/csync2_www.cfg", "a\n\"b\"\t\\"}};
    const std::vector<Diagnostic> ds = {{Severity::Warning, "serversets.www.servers", "only one"}};
    CHECK(render_bundle(ds, files, &plan) ==
          "{\"errors\":[],\"warnings\":[\"serversets.www.servers: only one\"],\"node\":\"web1\","
          "\"only_from\":null,\"serversets\":[{\"name\":\"www\",\"config_file\":\"/etc/csync2_www.cfg\","
          "\"key_file\":\"/etc/csync2_www.key\",\"database_file\":\"web1_www.db3\",\"sources\":[\"/srv/www\"]}],"
          "\"files\":[{\"id\":\"csync2:www\",\"path\":\"/etc/csync2_www.cfg\",\"content\":\"a\\n\\\"b\\\"\\t\\\\\"}]}\n");
}

TEST_CASE("render_bundle: a group's tempdir is named for Puppet to create", "[render]") {
    NodePlan plan = small_plan();
    plan.groups[0].tempdir = "/var/lib/csync2/clustersync-tmp";
    CHECK(render_bundle({}, {}, &plan).find("\"sources\":[\"/srv/www\"],\"tempdir\":\"/var/lib/csync2/clustersync-tmp\"}]") !=
          std::string::npos);
}

TEST_CASE("golden files: every case renders byte for byte as blessed", "[golden]") {
    const bool bless = std::getenv("CLUSTERSYNC_BLESS") != nullptr;
    const auto cases = golden_cases();
    REQUIRE(cases.size() >= 6);
    for (const auto& dir : cases) {
        SECTION(dir.filename().string()) {
            const auto rendered = render_case(read_file(dir / "model.json"));
            const fs::path expected_dir = dir / "expected";
            if (bless) {
                fs::remove_all(expected_dir);
                fs::create_directories(expected_dir);
                for (const auto& [name, content] : rendered) write_file(expected_dir / name, content);
            }
            std::vector<std::string> on_disk;
            for (const auto& entry : fs::directory_iterator(expected_dir)) on_disk.push_back(entry.path().filename());
            std::sort(on_disk.begin(), on_disk.end());
            std::vector<std::string> names;
            for (const auto& [name, content] : rendered) names.push_back(name);
            CHECK(on_disk == names);
            for (const auto& [name, content] : rendered) {
                INFO(dir.filename().string() + "/expected/" + name +
                     " differs; if intended: CLUSTERSYNC_BLESS=1 clustersync_tests \"[golden]\"");
                CHECK(read_file(expected_dir / name) == content);
            }
        }
    }
}

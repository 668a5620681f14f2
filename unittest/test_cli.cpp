// The command line as a user and Puppet's generate() see it: exit statuses, which stream
// gets what, and that a successful run writes nothing to stderr.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "version.hpp"

namespace {

struct Outcome {
    int status;
    std::string out;
    std::string err;
};

Outcome run_cli(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), "clustersync-helper");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    const int status = clustersync::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {status, out.str(), err.str()};
}

const std::string kKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";

std::string two_node_model(const std::string& node) {
    return R"({"node":")" + node + R"(","sources":{"/srv/data":"data"},)"
           R"("serversets":{"data":{"servers":["node1@198.18.0.1","node2@198.18.0.2"],"key_content":true}}})";
}

}  // namespace

TEST_CASE("the version flag prints the project version and exits 0", "[cli]") {
    const auto r = run_cli({"--version"});
    CHECK(r.status == 0);
    CHECK(r.out == std::string("clustersync-helper ") + clustersync::kVersion + "\n");
    CHECK(r.err.empty());
}

TEST_CASE("the help flag lists the subcommands and exits 0", "[cli]") {
    const auto r = run_cli({"--help"});
    CHECK(r.status == 0);
    for (const char* sub : {"validate", "render", "bundle"}) CHECK(r.out.find(sub) != std::string::npos);
}

TEST_CASE("usage errors exit 2", "[cli]") {
    CHECK(run_cli({}).status == 2);
    CHECK(run_cli({"frobnicate"}).status == 2);
    CHECK(run_cli({"render", "--model-json", two_node_model("node1")}).status == 2);  // neither --file nor --output-dir
    CHECK(run_cli({"render", "--model", "x.json", "--model-json", "{}", "--file", "lsyncd"}).status == 2);
}

TEST_CASE("a missing model is a usage error that says how to give one", "[cli]") {
    const auto r = run_cli({"validate"});
    CHECK(r.status == 2);
    CHECK(r.err == "error: no model given: use --model FILE, --model - (standard input) or --model-json JSON\n");
}

TEST_CASE("an unreadable model file names the option and the file", "[cli]") {
    const auto r = run_cli({"validate", "--model", "/nonexistent/model.json"});
    CHECK(r.status == 2);
    CHECK(r.err == "error: --model: cannot read \"/nonexistent/model.json\": No such file or directory\n");
}

TEST_CASE("validate: a valid model exits 0 and prints nothing on stderr", "[cli]") {
    const auto r = run_cli({"validate", "--model-json", two_node_model("node1")});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
}

TEST_CASE("validate reads the model from standard input with --model -", "[cli]") {
    CHECK(run_cli({"validate", "--model", "-"}, two_node_model("node1")).status == 0);
    CHECK(run_cli({"validate", "--model", "-"}, "{").status == 1);
}

TEST_CASE("model-json pieces are joined in order", "[cli]") {
    const std::string model = two_node_model("node1");
    const auto half = model.size() / 2;
    const auto r = run_cli({"validate", "--model-json", model.substr(0, half), "--model-json", model.substr(half)});
    CHECK(r.status == 0);
}

TEST_CASE("validate: an invalid model exits 1 and lists every error on stdout", "[cli]") {
    const auto r = run_cli({"validate", "--model-json",
                            R"({"csync_port":0,"serversets":{"Bad_Name":{"servers":["a","b"],"key_content":true}}})"});
    CHECK(r.status == 1);
    CHECK(r.out.find("error: csync_port: ") != std::string::npos);
    CHECK(r.out.find("error: serversets.Bad_Name: ") != std::string::npos);
}

TEST_CASE("render --file prints exactly one file and nothing on stderr", "[cli]") {
    const auto r = run_cli({"render", "--model-json", two_node_model("node1"), "--file", "csync2:data"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("group data") != std::string::npos);
    CHECK(r.out.find("include /srv/data;") != std::string::npos);
}

TEST_CASE("the node option overrides the model's node", "[cli]") {
    const auto r = run_cli({"render", "--model-json", two_node_model("node1"), "--node", "elsewhere", "--file", "lsyncd"});
    CHECK(r.status == 1);
    CHECK(r.err == "error: node: \"elsewhere\" is a member of no serverset: it has no lsyncd config\n");
}

TEST_CASE("render --file for a serverset the node is not in exits 1", "[cli]") {
    const auto r = run_cli({"render", "--model-json", two_node_model("node1"), "--file", "csync2:other"});
    CHECK(r.status == 1);
    CHECK(r.err == "error: node: \"node1\" is not a member of serverset \"other\"\n");
}

TEST_CASE("render --file with a malformed id is a usage error", "[cli]") {
    const auto r = run_cli({"render", "--model-json", two_node_model("node1"), "--file", "nginx"});
    CHECK(r.status == 2);
    CHECK(r.err == "error: --file: \"nginx\" is not a file id: expected lsyncd or csync2:NAME\n");
}

TEST_CASE("render without a node says which parameter is missing", "[cli]") {
    const auto r = run_cli({"render", "--model-json", R"({"sources":{}})", "--file", "lsyncd"});
    CHECK(r.status == 1);
    CHECK(r.err ==
          "error: node: missing: rendering needs the csync2 host name of the node (set \"node\" or --node)\n");
}

TEST_CASE("render --output-dir writes every file at its node path", "[cli]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "clustersync-test-cli-output";
    fs::remove_all(dir);
    const auto r = run_cli({"render", "--model-json", two_node_model("node2"), "--output-dir", dir.string()});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(fs::is_regular_file(dir / "etc/csync2_data.cfg"));
    CHECK(fs::is_regular_file(dir / "etc/lsyncd/lsyncd.conf.lua"));
    CHECK(r.out == (dir / "etc/csync2_data.cfg").string() + "\n" + (dir / "etc/lsyncd/lsyncd.conf.lua").string() + "\n");
    fs::remove_all(dir);
}

TEST_CASE("bundle exits 0 with the errors inside the JSON for an invalid model", "[cli]") {
    const auto r = run_cli({"bundle", "--model-json", R"({"csync_port":"http"})"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.rfind("{\"errors\":[\"csync_port: ", 0) == 0);
}

TEST_CASE("bundle carries the files of a member and no secret", "[cli]") {
    const std::string model = R"({"node":"node1","sources":{"/srv/data":"data"},"serversets":{"data":)"
                              R"({"servers":["node1","node2"],"key_content":")" + kKey + R"("}}})";
    const auto r = run_cli({"bundle", "--model-json", model});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("\"csync2:data\"") != std::string::npos);
    CHECK(r.out.find("\"lsyncd\"") != std::string::npos);
    CHECK(r.out.find(kKey) == std::string::npos);
}

TEST_CASE("facts and doctor take --state-dir DIR, lsyncd's lanes directory; without DIR it is a usage error", "[cli]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "clustersync-test-cli-state-dir";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string d = dir.string();
    const auto facts = run_cli({"facts", "--config-dir", d, "--db-dir", d, "--state-dir", d, "--cache-dir", ""});
    CHECK(facts.status == 0);
    CHECK(facts.err.empty());
    // doctor finds no serverset there (exit 1), but took the option.
    const auto doctor = run_cli({"doctor", "--config-dir", d, "--db-dir", d, "--state-dir", d});
    CHECK(doctor.status == 1);
    CHECK(doctor.err.empty());
    CHECK(run_cli({"facts", "--state-dir"}).status == 2);
    CHECK(run_cli({"doctor", "--state-dir"}).status == 2);
    const auto help = run_cli({"facts", "--help"});
    CHECK(help.out.find("--state-dir") != std::string::npos);
    CHECK(help.out.find("default /var/lib/clustersync") != std::string::npos);
    fs::remove_all(dir);
}

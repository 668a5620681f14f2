// The merge step: which serversets a node renders, with which hosts and sources.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "plan.hpp"

using namespace clustersync;

namespace {

Serverset serverset(const std::string& name, std::vector<std::string> servers) {
    Serverset s;
    s.name = name;
    s.servers = std::move(servers);
    s.key_content_kind = KeyContent::External;
    return s;
}

/// The README example: uploads on foo/bar/baz (with addresses), serverd on barium/sodium.
Model readme_model(const std::string& node) {
    Model m;
    m.node = node;
    m.sources = {{"/var/uploads", "uploads"}, {"/etc/serverd", "serverd"}};
    m.serversets["uploads"] = serverset(
        "uploads", {"foo.example.net@10.0.100.1", "bar.example.net@10.0.100.2", "baz.example.net@10.0.100.3"});
    m.serversets["serverd"] = serverset("serverd", {"barium.example.net", "sodium.example.net"});
    return m;
}

std::vector<std::string> group_names(const NodePlan& plan) {
    std::vector<std::string> names;
    for (const auto& g : plan.groups) names.push_back(g.name);
    return names;
}

}  // namespace

TEST_CASE("a member gets its serverset with only that serverset's sources", "[plan]") {
    const NodePlan plan = plan_node(readme_model("foo.example.net"));
    REQUIRE(group_names(plan) == std::vector<std::string>{"uploads"});
    const GroupPlan& g = plan.groups[0];
    CHECK(g.includes == std::vector<std::string>{"/var/uploads"});
    CHECK(g.config_file == "/etc/csync2_uploads.cfg");
    CHECK(g.key_file == "/etc/csync2_uploads.key");
    CHECK(g.auto_resolve == "none");
}

TEST_CASE("hosts keep their @address and are sorted by name", "[plan]") {
    const NodePlan plan = plan_node(readme_model("foo.example.net"));
    const auto& hosts = plan.groups.at(0).hosts;
    REQUIRE(hosts.size() == 3);
    CHECK(hosts[0].name == "bar.example.net");
    CHECK(hosts[0].address == "10.0.100.2");
    CHECK(hosts[1].name == "baz.example.net");
    CHECK(hosts[2].name == "foo.example.net");
    CHECK(hosts[2].address == "10.0.100.1");

    const NodePlan other = plan_node(readme_model("sodium.example.net"));
    REQUIRE(other.groups.size() == 1);
    CHECK(other.groups[0].hosts[0].name == "barium.example.net");
    CHECK(other.groups[0].hosts[0].address.empty());
}

TEST_CASE("a node that is in no serverset gets no group", "[plan]") {
    const NodePlan plan = plan_node(readme_model("qux.example.net"));
    CHECK(plan.node == "qux.example.net");
    CHECK(plan.groups.empty());
}

TEST_CASE("membership compares lower-cased host names exactly, as csync2 does", "[plan]") {
    CHECK(group_names(plan_node(readme_model("BARIUM.Example.Net"))) == std::vector<std::string>{"serverd"});
    CHECK(plan_node(readme_model("BARIUM.Example.Net")).node == "barium.example.net");
    // An FQDN never matches a short name, nor a short name an FQDN.
    CHECK(plan_node(readme_model("barium")).groups.empty());
    Model short_names = readme_model("barium.example.net");
    short_names.serversets["serverd"].servers = {"barium", "sodium"};
    CHECK(plan_node(short_names).groups.empty());
    // Upper-case server names in the model match too, and are written lower-cased.
    Model upper = readme_model("sodium.example.net");
    upper.serversets["serverd"].servers = {"Barium.Example.Net", "SODIUM.example.net@10.0.0.9"};
    const NodePlan plan = plan_node(upper);
    REQUIRE(plan.groups.size() == 1);
    CHECK(plan.groups[0].hosts[1].name == "sodium.example.net");
    CHECK(plan.groups[0].hosts[1].address == "10.0.0.9");
}

TEST_CASE("the part after @ is an address, never a host name to match", "[plan]") {
    Model m = readme_model("10.0.100.1");
    CHECK(plan_node(m).groups.empty());
}

TEST_CASE("a node in several serversets gets each, sorted, each with exactly its sources", "[plan]") {
    Model m;
    m.node = "n2";
    m.sources = {{"/srv/b/", "alpha"}, {"/srv/a", "alpha"}, {"/srv/c", "beta"}, {"/srv/d", "gamma"}};
    m.serversets["beta"] = serverset("beta", {"n2", "n3"});
    m.serversets["alpha"] = serverset("alpha", {"n1", "n2"});
    m.serversets["gamma"] = serverset("gamma", {"n1", "n3"});
    const NodePlan plan = plan_node(m);
    REQUIRE(group_names(plan) == std::vector<std::string>{"alpha", "beta"});
    CHECK(plan.groups[0].includes == std::vector<std::string>{"/srv/a", "/srv/b"});  // trailing slash dropped
    CHECK(plan.groups[1].includes == std::vector<std::string>{"/srv/c"});
}

TEST_CASE("a serverset without sources renders nothing, even for a member", "[plan]") {
    Model m = readme_model("foo.example.net");
    m.sources.erase("/var/uploads");
    CHECK(plan_node(m).groups.empty());
}

TEST_CASE("plan: lsyncd_delay in milliseconds", "[plan]") {
    struct Case {
        const char* text;
        unsigned ms;
    };
    static const Case cases[] = {{"0", 0}, {"1", 1000}, {"0.2", 200}, {"0.25", 250}, {"1.005", 1005},
                                 {"86400", 86400000}, {"86400.000", 86400000}};
    for (const auto& c : cases) {
        INFO(c.text);
        Model m = readme_model("foo.example.net");
        m.lsyncd_delay = c.text;
        CHECK(plan_node(m).lsyncd_delay_ms == c.ms);
    }
    Model m = readme_model("foo.example.net");
    CHECK(plan_node(m).lsyncd_delay_ms == 200);  // the default (docs/benchmarks-delay.md)
}

TEST_CASE("layout, port, delay, logdir and ssl come from the model", "[plan]") {
    Model m = readme_model("foo.example.net");
    m.layout.csync2_dir = "/etc/csync2/";
    m.csync_port = "30866";
    m.lsyncd_delay = "3";
    m.logdir = "/var/log/cs/";
    m.ssl = true;
    m.serversets["uploads"].exclude = {"*.tmp", "/var/uploads/cache"};
    m.serversets["uploads"].auto_resolve = "younger";
    const NodePlan plan = plan_node(m);
    CHECK(plan.port == 30866);
    CHECK(plan.lsyncd_delay_ms == 3000);
    CHECK(plan.logdir == "/var/log/cs");
    CHECK(plan.ssl);
    REQUIRE(plan.groups.size() == 1);
    CHECK(plan.groups[0].config_file == "/etc/csync2/csync2_uploads.cfg");
    CHECK(plan.groups[0].key_file == "/etc/csync2/csync2_uploads.key");
    CHECK(plan.groups[0].excludes == std::vector<std::string>{"*.tmp", "/var/uploads/cache"});
    CHECK(plan.groups[0].auto_resolve == "younger");
}

TEST_CASE("csync_tempdir goes to every group whose sources do not hold it", "[plan]") {
    Model m = readme_model("barium.example.net");
    m.serversets["serverd"].servers.push_back("foo.example.net");
    CHECK(plan_node(m).groups.at(0).tempdir == "/var/lib/csync2/clustersync-tmp");

    m.node = "foo.example.net";  // member of both
    m.csync_tempdir = "/etc/serverd/tmp";
    const NodePlan within = plan_node(m);
    REQUIRE(group_names(within) == std::vector<std::string>{"serverd", "uploads"});
    CHECK(within.groups[0].tempdir.empty());  // inside its own source /etc/serverd
    CHECK(within.groups[1].tempdir == "/etc/serverd/tmp");

    m.csync_tempdir.reset();
    for (const auto& group : plan_node(m).groups) CHECK(group.tempdir.empty());
}

TEST_CASE("the listener accepts csync_only_from, else the members' addresses when all are known", "[plan][hostile]") {
    SECTION("every member of the node's serversets has an address: exactly those, sorted, no warning") {
        const NodePlan plan = plan_node(readme_model("foo.example.net"));
        CHECK(plan.only_from == "10.0.100.1 10.0.100.2 10.0.100.3");
        CHECK_FALSE(listener_warning(plan));
    }
    SECTION("a member without an address: any address, and a warning that names it") {
        const NodePlan plan = plan_node(readme_model("sodium.example.net"));
        CHECK(plan.only_from.empty());
        const auto warning = listener_warning(plan);
        REQUIRE(warning);
        CHECK(to_string(*warning) ==
              "csync_only_from: not given, and servers without an address (barium.example.net (serverset serverd), "
              "sodium.example.net (serverset serverd)): the csync2 listener accepts connections from any address; "
              "list the servers as host@address, or give csync_only_from");
    }
    SECTION("the warning names five servers without an address and counts the others") {
        NodePlan plan;
        for (const char* h : {"h1", "h2", "h3", "h4", "h5", "h6", "h7"}) plan.unaddressed.push_back(std::string(h) + " (serverset s)");
        const auto warning = listener_warning(plan);
        REQUIRE(warning);
        CHECK(warning->message.find("(h1 (serverset s), h2 (serverset s), h3 (serverset s), h4 (serverset s), "
                                    "h5 (serverset s) and 2 more)") != std::string::npos);
        plan.unaddressed.resize(5);
        CHECK(listener_warning(plan)->message.find("h5 (serverset s)):") != std::string::npos);
    }
    SECTION("csync_only_from wins, and then nothing is warned about") {
        Model m = readme_model("sodium.example.net");
        m.csync_only_from = "10.0.200.0/24";
        const NodePlan plan = plan_node(m);
        CHECK(plan.only_from == "10.0.200.0/24");
        CHECK_FALSE(listener_warning(plan));
    }
    SECTION("only the node's own serversets count; a node in none accepts any address, unwarned") {
        Model m = readme_model("foo.example.net");
        m.serversets["serverd"].servers.push_back("foo.example.net");  // foo joins serverd, without address
        CHECK(plan_node(m).only_from.empty());
        CHECK(plan_node(readme_model("vm")).only_from.empty());
        CHECK_FALSE(listener_warning(plan_node(readme_model("vm"))));
    }
}

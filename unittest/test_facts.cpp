// facts: the parsers of what the node shows (/proc fdinfo, csync2's usage text, os-release,
// config file names), the JSON Facter reads, and the facts.d wrapper without the helper.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "facts.hpp"
#include "lanes.hpp"
#include "probe.hpp"

using namespace clustersync;

TEST_CASE("on_this_node: a process of another UTS namespace, or one already exiting, is not this node's", "[facts]") {
    const std::string own = "uts:[4026531838]";
    CHECK(on_this_node(own, own, 0));
    CHECK_FALSE(on_this_node(own, "uts:[4026532712]", 0));
    CHECK(on_this_node(own, "", EACCES));  // not root: counted rather than hidden
    CHECK_FALSE(on_this_node(own, "", ENOENT));  // exiting: its namespaces are gone
    CHECK(on_this_node("", "", ENOENT));  // no namespaces to tell by
    CHECK(on_this_node("", "uts:[4026532712]", 0));
}

TEST_CASE("parse_fdinfo_watches reads inode and kernel device of each inotify line", "[facts]") {
    const std::string fdinfo =
        "pos:\t0\nflags:\t02000000\nmnt_id:\t15\nino:\t1057\n"
        "inotify wd:4 ino:a720b3 sdev:fe00000 mask:7cc ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:b320a70011874c14\n"
        "inotify wd:1 ino:2 sdev:800001 mask:7cc ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:5720a700b7f4b063\n";
    const auto w = parse_fdinfo_watches(fdinfo);
    REQUIRE(w.size() == 2);
    CHECK(w[0].inode == 0xa720b3);
    CHECK(w[0].kernel_dev == 0xfe00000);
    CHECK(w[1].inode == 2);
    CHECK(w[1].kernel_dev == 0x800001);
}

TEST_CASE("parse_fdinfo_watches ignores other descriptors and broken lines", "[facts]") {
    CHECK(parse_fdinfo_watches("pos:\t0\nflags:\t0100000\nmnt_id:\t23\nino:\t3\n").empty());
    CHECK(parse_fdinfo_watches("inotify wd:1 sdev:fe00000 mask:7cc\n").empty());      // no ino
    CHECK(parse_fdinfo_watches("inotify wd:1 ino:zz sdev:fe00000 mask:7cc\n").empty());  // not hex
    CHECK(parse_fdinfo_watches("").empty());
}

TEST_CASE("parse_csync2_usage finds version and compiled-in directories", "[facts]") {
    const std::string usage =
        "\ncsync2 2.1-0rc1 - cluster synchronization tool, 2nd generation\n"
        "Copyright (C) 2004 - 2013  LINBIT Information Technologies GmbH\n\n"
        "Version: 2.0\n\nThis program is free software under the terms of the GNU GPL.\n\n"
        "Database switches:\n\t-D database-dir or url\n\t\tdefault: /var/lib/csync2\n"
        "\t\tAbsolute path: use sqlite database in that directory\n\n"
        "Environment variables:\n\tCSYNC2_SYSTEM_DIR\n"
        "\t\tDirectory containing csync2.cfg and other csync2 system files.\n\t\tDefaults to /etc.\n";
    auto b = parse_csync2_usage(usage);
    CHECK(b.version == "2.0");
    CHECK(b.system_dir == "/etc");
    CHECK(b.database_dir == "/var/lib/csync2");

    const std::string rhel = "Version: 2.0\n\tCSYNC2_SYSTEM_DIR\n\t\tDefaults to /etc/csync2.\n";
    b = parse_csync2_usage(rhel);
    CHECK(b.system_dir == "/etc/csync2");
    CHECK(b.database_dir.empty());

    b = parse_csync2_usage("csync2: invalid option -- 'V'\n");
    CHECK(b.version.empty());
    CHECK(b.system_dir.empty());
}

TEST_CASE("parse_version_line reads lsyncd --version", "[facts]") {
    CHECK(parse_version_line("Version: 2.2.3\n") == "2.2.3");
    CHECK(parse_version_line("lsyncd\n  Version:  2.3.1  \n") == "2.3.1");
    CHECK(parse_version_line("no version here\n").empty());
}

TEST_CASE("csync2_dir_for_os_release: RHEL, Fedora and SUSE families use /etc/csync2", "[facts]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ID=debian\nVERSION_ID=\"12\"\n", "/etc"},
        {"ID=ubuntu\nID_LIKE=debian\n", "/etc"},
        {"ID=\"rhel\"\n", "/etc/csync2"},
        {"ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "/etc/csync2"},
        {"ID=fedora\n", "/etc/csync2"},
        {"ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n", "/etc/csync2"},
        {"ID=sles\n", "/etc/csync2"},
        {"ID=arch\n", "/etc"},
        {"", "/etc"},
    };
    for (const auto& [text, dir] : cases) {
        INFO(text);
        CHECK(csync2_dir_for_os_release(text) == dir);
    }
}

namespace {

Facts sample_facts() {
    Facts f;
    f.helper_version = "0.1.0";
    f.hostname = "node1";
    f.csync2 = {true, "/usr/sbin/csync2", "2.0"};
    f.csync2_config_dir = "/etc";
    f.csync2_database_dir = "/var/lib/csync2";
    ServersetFacts serverd;
    serverd.name = "serverd";
    serverd.config = "/etc/csync2_serverd.cfg";
    serverd.dirty_error = "no database /var/lib/csync2/node1_serverd.db3 (csync2 has not run for this serverset on this node)";
    serverd.peers.push_back({"sodium", "sodium", std::nullopt, std::nullopt});
    serverd.lanes_error = "no /var/lib/clustersync/serverd.lanes: lsyncd's push lanes have not reported";
    f.serversets.push_back(serverd);
    ServersetFacts uploads;
    uploads.name = "uploads";
    uploads.config = "/etc/csync2_uploads.cfg";
    uploads.dirty = 3;
    const auto lanes = parse_lanes("/var/lib/clustersync/uploads.lanes",
                                   "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t-\t0\n"
                                   "198.18.0.3\tnode3\tunreachable\t1796242614\t-\t1796242700\t8\n");
    uploads.peers.push_back(merge_peer_pushes("node2", "198.18.0.2", lanes.lanes, std::map<std::string, long>{{"198.18.0.3", 5}}));
    uploads.peers.push_back(merge_peer_pushes("node3", "198.18.0.3", lanes.lanes, std::map<std::string, long>{{"198.18.0.3", 5}}));
    f.serversets.push_back(uploads);
    f.lsyncd = {true, "/usr/bin/lsyncd", "2.2.3"};
    f.lsyncd_pids = {4242};
    f.max_user_watches = 8192;
    f.watches = 17;
    return f;
}

}  // namespace

TEST_CASE("render_facts_json: one top-level clustersync key, fixed key order", "[facts]") {
    CHECK(render_facts_json(sample_facts()) == R"json({
  "clustersync": {
    "helper": true,
    "helper_version": "0.1.0",
    "hostname": "node1",
    "csync2": {
      "found": true,
      "path": "/usr/sbin/csync2",
      "version": "2.0",
      "config_dir": "/etc",
      "database_dir": "/var/lib/csync2"
    },
    "serversets": {
      "serverd": {
        "config": "/etc/csync2_serverd.cfg",
        "dirty": null,
        "dirty_error": "no database /var/lib/csync2/node1_serverd.db3 (csync2 has not run for this serverset on this node)",
        "peers": {
          "sodium": {
            "peer": "sodium",
            "state": null,
            "waiting": null,
            "last_ok": null,
            "since": null,
            "pushing_since": null,
            "failures": null
          }
        },
        "lanes_error": "no /var/lib/clustersync/serverd.lanes: lsyncd's push lanes have not reported"
      },
      "uploads": {
        "config": "/etc/csync2_uploads.cfg",
        "dirty": 3,
        "peers": {
          "node2": {
            "peer": "198.18.0.2",
            "state": "up",
            "waiting": 0,
            "last_ok": "2026-12-02T20:17:01Z",
            "since": "2026-12-02T20:16:53Z",
            "pushing_since": null,
            "failures": 0
          },
          "node3": {
            "peer": "198.18.0.3",
            "state": "unreachable",
            "waiting": 5,
            "last_ok": null,
            "since": "2026-12-02T20:16:54Z",
            "pushing_since": "2026-12-02T20:18:20Z",
            "failures": 8
          }
        }
      }
    },
    "lsyncd": {
      "found": true,
      "path": "/usr/bin/lsyncd",
      "version": "2.2.3",
      "running": true,
      "processes": 1
    },
    "inotify": {
      "max_user_watches": 8192,
      "watches": 17
    }
  }
}
)json");
}

TEST_CASE("render_facts_json: missing programs and unknown values are null, not empty strings", "[facts]") {
    Facts f;
    f.helper_version = "0.1.0";
    f.hostname = "web\"1";
    f.csync2_config_dir = "/etc/csync2";
    f.csync2_database_dir = "/var/lib/csync2";
    const std::string json = render_facts_json(f);
    CHECK(json.find(R"("hostname": "web\"1")") != std::string::npos);
    CHECK(json.find(R"("csync2": {
      "found": false,
      "path": null,
      "version": null,)") != std::string::npos);
    CHECK(json.find(R"("serversets": {},)") != std::string::npos);
    CHECK(json.find(R"("running": false,)") != std::string::npos);
    CHECK(json.find(R"("max_user_watches": null,
      "watches": null)") != std::string::npos);
}

TEST_CASE("read_text_file says why a file cannot be read", "[facts]") {
    const auto missing = read_text_file("/nonexistent/clustersync.key");
    CHECK_FALSE(missing);
    CHECK(missing.error() == "cannot read /nonexistent/clustersync.key: No such file or directory");
    const auto directory = read_text_file("/");
    CHECK_FALSE(directory);
    CHECK(directory.error() == "cannot read /: Is a directory");
    const auto limited = read_text_file(std::string(CLUSTERSYNC_SOURCE_DIR) + "/metadata.json", 1);
    REQUIRE(limited);
    CHECK(*limited == "{");
}

TEST_CASE("count_dirty explains a missing database", "[facts]") {
    const auto counts = count_dirty("/nonexistent/node1_x.db3");
    CHECK_FALSE(counts);
    CHECK(counts.error() == "no database /nonexistent/node1_x.db3 (csync2 has not run for this serverset on this node)");
}

TEST_CASE("facts.d wrapper falls back to the host name when the helper is absent or fails", "[facts]") {
    const std::string script = std::string(CLUSTERSYNC_SOURCE_DIR) + "/facts.d/clustersync.sh";
    const std::string expected = "{\"clustersync\": {\"hostname\": \"" + local_host_name() + "\", \"helper\": false}}\n";
    for (const char* helper : {"/nonexistent/clustersync-helper", "/bin/false"}) {
        INFO(helper);
        const auto r = run_command({script}, {{"CLUSTERSYNC_HELPER", helper}}, 5000);
        REQUIRE(r.started);
        CHECK(r.exit_code == 0);
        CHECK(r.out == expected);
        CHECK(r.err.empty());
    }
}

TEST_CASE("facts.d wrapper passes the helper's output through", "[facts]") {
    const std::string script = std::string(CLUSTERSYNC_SOURCE_DIR) + "/facts.d/clustersync.sh";
    // /bin/echo stands in for the helper: it prints its argument, "facts".
    const auto r = run_command({script}, {{"CLUSTERSYNC_HELPER", "/bin/echo"}}, 5000);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "facts\n");
}

TEST_CASE("program_output reuses the cached output until the program file changes", "[facts]") {
    char dir_template[] = "/tmp/clustersync-test-cache.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string dir = dir_template;
    const std::string program = dir + "/fakeprog";
    const std::string runs = dir + "/runs";
    const auto write_program = [&](const std::string& version) {
        std::ofstream(program) << "#!/bin/sh\necho run >> " << runs << "\necho 'Version: " << version << "'\n";
        REQUIRE(chmod(program.c_str(), 0755) == 0);
    };
    const auto run_count = [&] {
        const auto text = read_text_file(runs);
        return text ? std::count(text->begin(), text->end(), '\n') : 0;
    };
    write_program("1.0");
    CHECK(parse_version_line(program_output(program, {"--version"}, dir + "/cache")) == "1.0");
    CHECK(parse_version_line(program_output(program, {"--version"}, dir + "/cache")) == "1.0");
    CHECK(run_count() == 1);
    write_program("1.10");  // a new binary: new size and mtime
    CHECK(parse_version_line(program_output(program, {"--version"}, dir + "/cache")) == "1.10");
    CHECK(run_count() == 2);
    CHECK(parse_version_line(program_output(program, {"--version"}, "")) == "1.10");  // no cache: always runs
    CHECK(run_count() == 3);
    std::filesystem::remove_all(dir);
}

/// A temporary directory holding one sqlite database file (not created until first written),
/// removed with everything in it at the end of the test.
struct TempDatabase {
    std::string dir;
    std::string path;
    TempDatabase() {
        char dir_template[] = "/tmp/clustersync-test-db.XXXXXX";
        REQUIRE(mkdtemp(dir_template));
        dir = dir_template;
        path = dir + "/node1_uploads.db3";
    }
    ~TempDatabase() { std::filesystem::remove_all(dir); }
    void sql(const std::string& statement) const {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
};

namespace {

using PeerCounts = std::map<std::string, long>;

}  // namespace

TEST_CASE("count_dirty counts distinct files and entries per peer, and caches both while the database is unchanged",
          "[facts]") {
    const TempDatabase temp;
    const std::string& dir = temp.dir;
    const std::string& db_path = temp.path;
    const auto sql = [&](const std::string& statement) { temp.sql(statement); };
    // csync2's schema: one row per file and peer; a peer written NAME@ADDRESS is named by its address.
    sql("CREATE TABLE dirty (filename, forced, myname, peername, UNIQUE (filename, peername) ON CONFLICT IGNORE);"
        "INSERT INTO dirty VALUES ('/srv/a', 0, 'node1', '198.18.0.2'), ('/srv/a', 0, 'node1', 'node3'), "
        "('/srv/b', 0, 'node1', '198.18.0.2');");
    auto counts = count_dirty(db_path);
    REQUIRE(counts);
    CHECK(counts->files == 2);
    CHECK(counts->entries_by_peer == PeerCounts{{"198.18.0.2", 2}, {"node3", 1}});
    counts = count_dirty(db_path, dir + "/cache");
    REQUIRE(counts);
    CHECK(counts->files == 2);

    // The cached value is what a second run returns: proven by planting a different one.
    const std::string cache_file = dir + "/cache/node1_uploads.db3.dirty";
    auto cached = read_text_file(cache_file);
    REQUIRE(cached);
    const std::string stored = "files\t2\n2\t198.18.0.2\n1\tnode3\n";
    REQUIRE(cached->size() > stored.size());
    CHECK(cached->substr(cached->size() - stored.size()) == stored);
    const std::string identity = cached->substr(0, cached->size() - stored.size());
    std::ofstream(cache_file) << identity << "files\t99\n7\t198.18.0.2\n";
    counts = count_dirty(db_path, dir + "/cache");
    REQUIRE(counts);
    CHECK(counts->files == 99);
    CHECK(counts->entries_by_peer == PeerCounts{{"198.18.0.2", 7}});

    // A cache in any other form (the bare count of earlier versions, a damaged file) is not used.
    for (const char* value : {"2\n", "files\t2\nnode3\n", "files\tx\n", "files\t2\n3\tnode3"}) {
        INFO(value);
        std::ofstream(cache_file) << identity << value;
        counts = count_dirty(db_path, dir + "/cache");
        REQUIRE(counts);
        CHECK(counts->files == 2);
        CHECK(counts->entries_by_peer == PeerCounts{{"198.18.0.2", 2}, {"node3", 1}});
    }

    // Any write to the database invalidates it.
    sql("INSERT INTO dirty VALUES ('/srv/c', 0, 'node1', 'node3');");
    counts = count_dirty(db_path, dir + "/cache");
    REQUIRE(counts);
    CHECK(counts->files == 3);
    CHECK(counts->entries_by_peer == PeerCounts{{"198.18.0.2", 2}, {"node3", 2}});
}

TEST_CASE("count_dirty names a database it cannot read", "[facts]") {
    const TempDatabase temp;
    temp.sql("CREATE TABLE file (filename);");  // no dirty table
    const auto counts = count_dirty(temp.path);
    CHECK_FALSE(counts);
    CHECK(counts.error() == "cannot read " + temp.path + ": no such table: dirty");
}

TEST_CASE("count_dirty does not serve cached counts while a write-ahead log holds newer commits", "[facts]") {
    const TempDatabase temp;
    const std::string cache = temp.dir + "/cache";
    temp.sql("CREATE TABLE dirty (filename, forced, myname, peername, UNIQUE (filename, peername) ON CONFLICT IGNORE);"
             "PRAGMA journal_mode = WAL;"
             "INSERT INTO dirty VALUES ('/srv/a', 0, 'node1', 'node2'), ('/srv/b', 0, 'node1', 'node2');");
    CHECK(count_dirty(temp.path, cache).value().files == 2);

    // A connection that stays open (a csync2 listener's session) commits into the log; the
    // database file itself keeps its size and time until a checkpoint.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(temp.path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "INSERT INTO dirty VALUES ('/srv/c', 0, 'node1', 'node2');", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    const auto before = std::filesystem::last_write_time(temp.path);
    CHECK(count_dirty(temp.path, cache).value().entries_by_peer == PeerCounts{{"node2", 3}});
    CHECK(count_dirty(temp.path, cache).value().entries_by_peer == PeerCounts{{"node2", 3}});
    CHECK(std::filesystem::last_write_time(temp.path) == before);
    sqlite3_close(db);
    CHECK(count_dirty(temp.path, cache).value().entries_by_peer == PeerCounts{{"node2", 3}});
}

TEST_CASE("facts command prints one clustersync object for the given directories", "[facts]") {
    char dir_template[] = "/tmp/clustersync-test-factscli.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::string dir = dir_template;
    std::ofstream(dir + "/csync2_www.cfg") << "group www { host node1 node2; key /k; include /srv/www; }\n";
    const std::vector<std::string> args{"clustersync-helper", "facts",    "--config-dir", dir,       "--db-dir",
                                        dir,                  "--node",   "NODE1",        "--cache-dir", ""};
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in;
    std::ostringstream out, err;
    CHECK(run(static_cast<int>(argv.size()), argv.data(), in, out, err) == 0);
    CHECK(err.str().empty());
    const std::string json = out.str();
    CHECK(json.rfind("{\n  \"clustersync\": {\n    \"helper\": true,", 0) == 0);
    CHECK(json.find("\"hostname\": \"node1\"") != std::string::npos);
    CHECK(json.find("\"config_dir\": \"" + dir + "\"") != std::string::npos);
    CHECK(json.find("\"www\": {\n        \"config\": \"" + dir + "/csync2_www.cfg\",\n        \"dirty\": null,\n"
                    "        \"dirty_error\": \"no database " + dir + "/node1_www.db3") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("facts command reports each peer's lane from --state-dir and its entries from the database", "[facts]") {
    const TempDatabase temp;
    const std::string& dir = temp.dir;
    std::ofstream(dir + "/csync2_uploads.cfg")
        << "group uploads { host node1 node2@198.18.0.2 Node3; key /k; include /srv/uploads; }\n";
    std::filesystem::create_directory(dir + "/state");
    std::ofstream(dir + "/state/uploads.lanes")
        << "# clustersync push lanes of group uploads (written by lsyncd): peer, name, state, since, last_ok, "
           "pushing_since, failures\n"
           "198.18.0.2\tnode2\tup\t1796242613\t1796242621\t-\t0\n"
           "node3\tnode3\tfailing\t1796242614\t1796242500\t1796242700\t4\n"
           "oops\n";
    temp.sql("CREATE TABLE dirty (filename, forced, myname, peername, UNIQUE (filename, peername) ON CONFLICT IGNORE);"
             "INSERT INTO dirty VALUES ('/srv/uploads/a', 0, 'node1', '198.18.0.2'), ('/srv/uploads/a', 0, 'node1', 'node3'), "
             "('/srv/uploads/b', 0, 'node1', 'node3');");
    const std::vector<std::string> args{"clustersync-helper", "facts",  "--config-dir", dir,           "--db-dir", dir,
                                        "--state-dir",        dir + "/state", "--node", "NODE1", "--cache-dir", ""};
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in;
    std::ostringstream out, err;
    CHECK(run(static_cast<int>(argv.size()), argv.data(), in, out, err) == 0);
    CHECK(err.str().empty());
    const std::string expected = R"json(
      "uploads": {
        "config": "DIR/csync2_uploads.cfg",
        "dirty": 2,
        "peers": {
          "node2": {
            "peer": "198.18.0.2",
            "state": "up",
            "waiting": 1,
            "last_ok": "2026-12-02T20:17:01Z",
            "since": "2026-12-02T20:16:53Z",
            "pushing_since": null,
            "failures": 0
          },
          "node3": {
            "peer": "node3",
            "state": "failing",
            "waiting": 2,
            "last_ok": "2026-12-02T20:15:00Z",
            "since": "2026-12-02T20:16:54Z",
            "pushing_since": "2026-12-02T20:18:20Z",
            "failures": 4
          }
        },
        "lanes_error": "DIR/state/uploads.lanes:4: expected 7 tab-separated fields (peer, name, state, since, last_ok, pushing_since, failures), got 1: \"oops\""
      }
    },)json";
    std::string wanted = expected;
    for (std::size_t at; (at = wanted.find("DIR")) != std::string::npos;) wanted.replace(at, 3, dir);
    INFO(out.str());
    CHECK(out.str().find(wanted) != std::string::npos);

    // Without the file: every peer is there, without a state, and the error says why.
    std::filesystem::remove(dir + "/state/uploads.lanes");
    std::ostringstream again;
    CHECK(run(static_cast<int>(argv.size()), argv.data(), in, again, err) == 0);
    CHECK(again.str().find("\"node3\": {\n            \"peer\": \"node3\",\n            \"state\": null,\n"
                           "            \"waiting\": 2,") != std::string::npos);
    CHECK(again.str().find("\"lanes_error\": \"no " + dir + "/state/uploads.lanes: lsyncd's push lanes have not reported\"") !=
          std::string::npos);
}

TEST_CASE("has_count_index finds the module's index on csync2's file table, and only that one", "[doctor]") {
    const TempDatabase temp;
    const std::string& db_path = temp.path;
    const auto sql = [&](const std::string& statement) { temp.sql(statement); };
    const auto missing = has_count_index(db_path);
    CHECK_FALSE(missing);
    CHECK(missing.error() == "no database " + db_path);

    sql("CREATE TABLE file (filename, checktxt, UNIQUE (filename) ON CONFLICT REPLACE);"
        "CREATE TABLE other (a); CREATE INDEX clustersync_other ON other(0);");
    CHECK(has_count_index(db_path).value() == false);
    sql("CREATE INDEX clustersync_count ON file(0);");
    CHECK(has_count_index(db_path).value() == true);

    // What the index is for: sqlite counts csync2's file table through it.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT count(*) from file", -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const std::string plan = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    CHECK(plan.find("clustersync_count") != std::string::npos);
}

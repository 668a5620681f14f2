#include "render.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "csync2_rules.hpp"
#include "json_write.hpp"

namespace clustersync {

std::vector<RenderedFile> render_node(const NodePlan& plan) {
    std::vector<RenderedFile> files;
    if (plan.groups.empty()) return files;
    files.reserve(plan.groups.size() + 1);
    for (const auto& group : plan.groups)
        files.push_back({"csync2:" + group.name, group.config_file, render_csync2(plan, group)});
    files.push_back({"lsyncd", plan.layout.lsyncd_config, render_lsyncd(plan)});
    return files;
}

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_diagnostics(JsonWriter& w, const std::vector<Diagnostic>& diagnostics, Severity severity) {
    w.StartArray();
    for (const auto& d : diagnostics)
        if (d.severity == severity) write_json_string(w, to_string(d));
    w.EndArray();
}

}  // namespace

std::string render_bundle(const std::vector<Diagnostic>& diagnostics, const std::vector<RenderedFile>& files,
                          const NodePlan* plan) {
    rapidjson::StringBuffer buffer;
    // One allocation for a bundle of any size: the contents plus room for escapes and keys.
    std::size_t size = 4096;
    for (const auto& f : files) size += f.content.size() + f.content.size() / 8 + f.path.size() + 64;
    buffer.Reserve(size);
    JsonWriter w(buffer);
    const bool ok = !has_errors(diagnostics) && plan != nullptr;
    w.StartObject();
    w.Key("errors");
    write_diagnostics(w, diagnostics, Severity::Error);
    w.Key("warnings");
    write_diagnostics(w, diagnostics, Severity::Warning);
    write_json_member(w, "node", ok ? plan->node : std::string());
    // Whom the csync2 listener accepts (null: any address; see NodePlan::only_from).
    w.Key("only_from");
    if (ok && !plan->only_from.empty())
        write_json_string(w, plan->only_from);
    else
        w.Null();
    // What Puppet needs beyond the file contents: which key file belongs to which serverset
    // (it writes the keys itself, so secrets never pass through the helper), the database it
    // tunes, and the csync2 tempdir it must create.
    w.Key("serversets");
    w.StartArray();
    if (ok) {
        for (const auto& group : plan->groups) {
            w.StartObject();
            write_json_member(w, "name", group.name);
            write_json_member(w, "config_file", group.config_file);
            write_json_member(w, "key_file", group.key_file);
            // csync2's database of the group on this node, a file name in the class's
            // csync2_db_dir (which only Puppet knows), where Puppet adds the module's index.
            write_json_member(w, "database_file", csync2_database_file_name(plan->node, group.name));
            w.Key("sources");
            w.StartArray();
            for (const auto& source : group.includes) write_json_string(w, source);
            w.EndArray();
            // Puppet creates this directory, root-only (absent: the group has none).
            if (!group.tempdir.empty()) write_json_member(w, "tempdir", group.tempdir);
            w.EndObject();
        }
    }
    w.EndArray();
    w.Key("files");
    w.StartArray();
    if (ok) {
        for (const auto& f : files) {
            w.StartObject();
            write_json_member(w, "id", f.id);
            write_json_member(w, "path", f.path);
            write_json_member(w, "content", f.content);
            w.EndObject();
        }
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace clustersync

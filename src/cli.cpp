#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "doctor.hpp"
#include "facts.hpp"
#include "parse.hpp"
#include "plan.hpp"
#include "render.hpp"
#include "validate.hpp"
#include "version.hpp"

namespace clustersync {
namespace {

/// Where the model comes from: exactly one of a file (or "-" for stdin) and --model-json pieces.
struct ModelSource {
    std::string file;
    std::vector<std::string> json_pieces;
    std::string node_override;
};

void add_model_options(CLI::App& cmd, ModelSource& src) {
    auto* file = cmd.add_option("-m,--model", src.file, "JSON model file, or - for standard input");
    auto* json = cmd.add_option("-j,--model-json", src.json_pieces,
                                "JSON model text; may be repeated, the pieces are joined in order "
                                "(one argument is limited to 128 KiB by the kernel)")
                     ->allow_extra_args(false);
    file->excludes(json);
    json->excludes(file);
    cmd.add_option("-N,--node", src.node_override, "csync2 host name to render for (overrides the model's \"node\")");
}

/// Reads the model text; returns false (with a message on err) when it cannot.
bool read_model_text(const ModelSource& src, std::istream& in, std::ostream& err, std::string& text) {
    if (!src.json_pieces.empty()) {
        for (const auto& piece : src.json_pieces) text += piece;
        return true;
    }
    if (src.file.empty()) {
        err << "error: no model given: use --model FILE, --model - (standard input) or --model-json JSON\n";
        return false;
    }
    if (src.file == "-") {
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return true;
    }
    std::ifstream f(src.file, std::ios::binary);
    if (!f) {
        err << "error: --model: cannot read " << quote(src.file) << ": " << std::strerror(errno) << "\n";
        return false;
    }
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

/// Parses and validates; fills diagnostics. Returns false only when the model text could not be read.
bool load(const ModelSource& src, std::istream& in, std::ostream& err, Model& model, std::vector<Diagnostic>& diags) {
    std::string text;
    if (!read_model_text(src, in, err, text)) return false;
    ParseResult parsed = parse_model(text);
    model = std::move(parsed.model);
    diags = std::move(parsed.diagnostics);
    if (!src.node_override.empty()) model.node = src.node_override;
    if (!has_errors(diags)) {
        auto more = validate(model);
        diags.insert(diags.end(), more.begin(), more.end());
    }
    return true;
}

void print_diagnostics(const std::vector<Diagnostic>& diags, std::ostream& os, bool warnings_too) {
    for (const auto& d : diags) {
        if (d.severity == Severity::Error)
            os << "error: " << to_string(d) << "\n";
        else if (warnings_too)
            os << "warning: " << to_string(d) << "\n";
    }
}

Diagnostic missing_node() {
    return {Severity::Error, "node", "missing: rendering needs the csync2 host name of the node (set \"node\" or --node)"};
}

int cmd_validate(const ModelSource& src, std::istream& in, std::ostream& out, std::ostream& err) {
    Model model;
    std::vector<Diagnostic> diags;
    if (!load(src, in, err, model, diags)) return kExitUsage;
    print_diagnostics(diags, out, true);
    return has_errors(diags) ? kExitInvalid : kExitOk;
}

int cmd_render(const ModelSource& src, const std::string& file_id, const std::string& output_dir, std::istream& in,
               std::ostream& out, std::ostream& err) {
    Model model;
    std::vector<Diagnostic> diags;
    if (!load(src, in, err, model, diags)) return kExitUsage;
    if (!has_errors(diags) && !model.node) diags.push_back(missing_node());
    if (has_errors(diags)) {
        print_diagnostics(diags, err, false);
        return kExitInvalid;
    }
    const NodePlan plan = plan_node(model);
    const auto files = render_node(plan);

    if (!file_id.empty()) {
        for (const auto& f : files) {
            if (f.id == file_id) {
                out << f.content;
                return kExitOk;
            }
        }
        if (file_id != "lsyncd" && file_id.rfind("csync2:", 0) != 0) {
            err << "error: --file: " << quote(file_id) << " is not a file id: expected lsyncd or csync2:NAME\n";
            return kExitUsage;
        }
        if (file_id == "lsyncd")
            err << "error: node: " << quote(plan.node) << " is a member of no serverset: it has no lsyncd config\n";
        else
            err << "error: node: " << quote(plan.node) << " is not a member of serverset "
                << quote(file_id.substr(7)) << "\n";
        return kExitInvalid;
    }

    namespace fs = std::filesystem;
    if (files.empty()) {
        out << "node " << quote(plan.node) << " is a member of no serverset: nothing to write\n";
        return kExitOk;
    }
    for (const auto& f : files) {
        const fs::path target = fs::path(output_dir) / fs::path(f.path).relative_path();
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        std::ofstream o(target, std::ios::binary | std::ios::trunc);
        if (ec || !(o << f.content) || !o.flush()) {
            err << "error: --output-dir: cannot write " << quote(target.string()) << "\n";
            return kExitInvalid;
        }
        out << target.string() << "\n";
    }
    return kExitOk;
}

int cmd_bundle(const ModelSource& src, std::istream& in, std::ostream& out, std::ostream& err) {
    Model model;
    std::vector<Diagnostic> diags;
    if (!load(src, in, err, model, diags)) return kExitUsage;
    if (!has_errors(diags) && !model.node) diags.push_back(missing_node());
    if (has_errors(diags)) {
        out << render_bundle(diags, {}, nullptr);
        return kExitOk;
    }
    const NodePlan plan = plan_node(model);
    if (auto warning = listener_warning(plan)) diags.push_back(*warning);
    out << render_bundle(diags, render_node(plan), &plan);
    return kExitOk;
}

/// Options facts and doctor share: which host name, which csync2 directories and where lsyncd's
/// lanes report.
void add_node_probe_options(CLI::App& cmd, std::string& node, std::string& config_dir, std::string& database_dir,
                            std::string& state_dir) {
    cmd.add_option("-N,--node", node, "csync2 host name of this node, as given to csync2 -N (default: gethostname(), lower-cased)");
    cmd.add_option("--config-dir", config_dir, "csync2's config directory (default: $CSYNC2_SYSTEM_DIR, else csync2's own)");
    cmd.add_option("--db-dir", database_dir, "csync2's database directory, as given to csync2 -D (default: csync2's own)");
    cmd.add_option("--state-dir", state_dir,
                   std::string("where lsyncd's push lanes write GROUP.lanes (default ") + kStateDir + ")");
}

int cmd_doctor(const DoctorOptions& options, bool json, std::ostream& out) {
    const NodeState state = inspect_node(options);
    const auto findings = evaluate(state);
    out << (json ? format_json(state.node, findings) : format_text(state.node, findings));
    return has_errors(findings) ? kExitInvalid : kExitOk;  // 1: something on the node is wrong
}

}  // namespace

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err) {
    CLI::App app{"clustersync-helper: validates a clustersync model and renders its csync2 and lsyncd files",
                 "clustersync-helper"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("clustersync-helper ") + kVersion);

    ModelSource src;
    std::string file_id;
    std::string output_dir;

    auto* validate_cmd = app.add_subcommand("validate", "Check a model; print every error and warning; exit 1 if invalid");
    add_model_options(*validate_cmd, src);

    auto* render_cmd = app.add_subcommand("render", "Render the node's files: one to stdout (--file) or all into a directory");
    add_model_options(*render_cmd, src);
    auto* file_opt = render_cmd->add_option("-f,--file", file_id, "print one file: lsyncd or csync2:NAME");
    auto* dir_opt = render_cmd->add_option("-o,--output-dir", output_dir,
                                           "write every file of the node under DIR, at its path on the node");
    file_opt->excludes(dir_opt);
    dir_opt->excludes(file_opt);

    auto* bundle_cmd = app.add_subcommand(
        "bundle", "For Puppet's generate(): print one JSON document with errors, warnings and every file; exit 0");
    add_model_options(*bundle_cmd, src);

    FactsOptions facts_options;
    auto* facts_cmd = app.add_subcommand("facts", "Print what this node knows about its sync as JSON (a Facter external fact)");
    add_node_probe_options(*facts_cmd, facts_options.node, facts_options.config_dir, facts_options.database_dir,
                           facts_options.state_dir);
    facts_cmd->add_option("--cache-dir", facts_options.cache_dir,
                          "where program versions and dirty counts are cached (default /var/cache/clustersync; \"\" turns caching off)");

    DoctorOptions doctor_options;
    bool doctor_json = false;
    auto* doctor_cmd = app.add_subcommand("doctor", "Check this node's csync2 and lsyncd; print each problem with its fix; exit 1 on errors");
    add_node_probe_options(*doctor_cmd, doctor_options.node, doctor_options.config_dir, doctor_options.database_dir,
                           doctor_options.state_dir);
    auto* port_opt = doctor_cmd->add_option("-p,--port", doctor_options.port, "port of the peers' csync2 listeners (default 30865)")
                         ->check(CLI::Range(1, 65535));
    doctor_cmd->add_option("--connect-timeout", doctor_options.connect_timeout_ms, "milliseconds to wait for each peer (default 1000)")
        ->check(CLI::Range(1, 60000));
    doctor_cmd->add_flag("--json", doctor_json, "print the findings as JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e, out, err);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
        app.exit(e, out, err);
        return kExitUsage;
    }

    if (*validate_cmd) return cmd_validate(src, in, out, err);
    if (*render_cmd) {
        if (file_id.empty() && output_dir.empty()) {
            err << "error: render needs --file ID (lsyncd or csync2:NAME) or --output-dir DIR\n";
            return kExitUsage;
        }
        return cmd_render(src, file_id, output_dir, in, out, err);
    }
    if (*bundle_cmd) return cmd_bundle(src, in, out, err);
    if (*facts_cmd) {
        out << render_facts_json(gather_facts(facts_options));
        return kExitOk;
    }
    if (*doctor_cmd) {
        doctor_options.port_given = port_opt->count() > 0;
        return cmd_doctor(doctor_options, doctor_json, out);
    }
    return kExitUsage;
}

}  // namespace clustersync

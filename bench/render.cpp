// Benchmark (not a test): one node of a generated model with 1,000 serversets and 10,000
// sources. The node is in every serverset, the worst case: 1,000 csync2 files and an lsyncd
// config with 10,000 syncs. Prints the median of several runs of each stage.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "parse.hpp"
#include "plan.hpp"
#include "render.hpp"
#include "validate.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string generated_model(int serversets, int sources) {
    std::string json = "{\"node\":\"node1.example.net\",\"sources\":{";
    for (int i = 0; i < sources; ++i) {
        if (i) json += ",";
        json += "\"/srv/data" + std::to_string(i) + "/files\":\"set" + std::to_string(i % serversets) + "\"";
    }
    json += "},\"serversets\":{";
    for (int s = 0; s < serversets; ++s) {
        if (s) json += ",";
        json += "\"set" + std::to_string(s) + "\":{\"servers\":[\"node1.example.net@198.18.0.1\",\"node" +
                std::to_string(2 + s % 50) + ".example.net@198.18.0." + std::to_string(2 + s % 50) +
                "\",\"node99.example.net\"],\"key_content\":true,\"exclude\":[\"*.tmp\",\"*.swp\"]}";
    }
    return json + "}}";
}

// CPU time of this process: on a busy machine, wall time mostly measures the other processes.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 9;
    const std::string json = generated_model(1000, 10000);
    std::vector<double> load_ms, render_ms, render_cpu_ms, bundle_ms, total_ms;
    std::size_t bytes = 0, files = 0;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = Clock::now();
        auto parsed = clustersync::parse_model(json);
        auto diagnostics = clustersync::validate(parsed.model);
        if (clustersync::has_errors(parsed.diagnostics) || clustersync::has_errors(diagnostics)) {
            std::fprintf(stderr, "generated model is invalid\n");
            return 1;
        }
        const auto t1 = Clock::now();
        const double c1 = cpu_ms();
        const auto plan = clustersync::plan_node(parsed.model);
        const auto rendered = clustersync::render_node(plan);
        const double c2 = cpu_ms();
        const auto t2 = Clock::now();
        render_cpu_ms.push_back(c2 - c1);
        const std::string bundle = clustersync::render_bundle(diagnostics, rendered, &plan);
        const auto t3 = Clock::now();
        load_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        bundle_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
        render_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        total_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t0).count());
        bytes = bundle.size();
        files = rendered.size();
    }
    std::printf("model: 1000 serversets, 10000 sources; node in every serverset: %zu files, bundle %zu bytes\n",
                files, bytes);
    std::printf("merge + render (plan_node, render_node): median %.1f ms wall, %.1f ms CPU over %d runs (target < 50 ms)\n",
                median(render_ms), median(render_cpu_ms), runs);
    std::printf("parse + validate: median %.1f ms; bundle JSON: median %.1f ms\n", median(load_ms), median(bundle_ms));
    std::printf("whole bundle (parse, validate, merge, render, JSON): median %.1f ms\n", median(total_ms));
    return 0;
}

#!/bin/sh
# Builds the helper's core library (release flags) and the render benchmark, then runs it.
#   bench/render.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
build="build-bench"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target clustersync_core -j "$(nproc)" >/dev/null
c++ -std=c++17 -O2 -Isrc -I"$build/generated" bench/render.cpp "$build/libclustersync_core.a" \
    -lboost_regex -lsqlite3 -o "$build/bench_render"
"$build/bench_render" "${1:-9}"

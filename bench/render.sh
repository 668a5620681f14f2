#!/bin/sh
# Builds the render benchmark (the CMake target bench_render, release flags) and runs it.
#   bench/render.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
build="build-bench"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target bench_render -j "$(nproc)" >/dev/null
"$build/bench_render" "${1:-9}"

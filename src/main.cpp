#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) { return clustersync::run(argc, argv, std::cin, std::cout, std::cerr); }

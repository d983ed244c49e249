#include <iostream>

#include "tapegrad/cli/app.hpp"

int main(int argc, char** argv) { return tapegrad::cli::run(argc, argv, std::cout, std::cerr); }

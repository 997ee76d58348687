#include <string>
#include <vector>

#include "tools/klactl/cli.h"

int main(int argc, char** argv) { return kla::klactl::Run(std::vector<std::string>(argv + 1, argv + argc)); }

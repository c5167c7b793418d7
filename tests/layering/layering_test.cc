// Keeps the module layering honest: timeframe <- collection, cache <- engine <- tools. A file may
// include only headers of its own module or of modules below it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::set<std::string>> kAllowed = {
    {"timeframe", {"timeframe"}},
    {"collection", {"timeframe", "collection"}},
    {"cache", {"timeframe", "cache"}},
    {"engine", {"timeframe", "collection", "cache", "engine"}},
};

TEST(Layering, NoModuleIncludesAModuleAboveIt) {
  const fs::path root = CK_SOURCE_DIR;
  const std::regex include_re(R"re(^\s*#\s*include\s*"([a-z_]+)/)re");
  int files = 0;
  for (const auto& [module, allowed] : kAllowed) {
    if (!fs::exists(root / module)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / module)) {
      auto ext = entry.path().extension();
      if (ext != ".h" && ext != ".cc") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      int line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        std::smatch m;
        if (std::regex_search(line, m, include_re) && (kAllowed.count(m[1].str()) > 0 || m[1].str() == "tools")) {
          EXPECT_TRUE(allowed.count(m[1].str())) << entry.path() << ":" << line_no << " includes " << m[1]
                                          << "/ which is above " << module << "/";
        }
      }
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace

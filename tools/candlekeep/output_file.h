#pragma once
// Writes a command's output file all at once: a temp file beside the target, then a rename, so a
// failed command never leaves a partial or truncated file behind.
#include <string>

#include "timeframe/status.h"

namespace ck::cli {

Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace ck::cli

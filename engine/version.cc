#include "engine/version.h"

// Set by engine/CMakeLists.txt from PROJECT_VERSION.
#ifndef CK_ENGINE_VERSION
#error "CK_ENGINE_VERSION must be defined by the build (engine/CMakeLists.txt)"
#endif

namespace ck {

std::string_view engine_version() { return CK_ENGINE_VERSION; }

}  // namespace ck

#pragma once
// The engine's version: the CMake project version (project(candlekeep VERSION ...)), compiled into
// ck_engine, so files the engine writes (export manifests) can say which engine wrote them.
#include <string_view>

namespace ck {

// "MAJOR.MINOR.PATCH", e.g. "0.1.0".
std::string_view engine_version();

}  // namespace ck

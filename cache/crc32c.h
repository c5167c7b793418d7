#pragma once
// CRC32C (Castagnoli): the checksum of chunk bytes. Uses the SSE4.2 instruction when the CPU has
// it, a table otherwise; both give the same value (the standard CRC-32C, e.g. crc32c("123456789")
// == 0xE3069283).
#include <cstdint>
#include <string_view>

namespace ck {

uint32_t crc32c(std::string_view data);

}  // namespace ck

#pragma once
// How the process's allocator treats the large blocks the store's reads allocate and free.

namespace ck {

// Keeps freed memory in the process rather than returning every large block to the kernel.
// A read of a year of minutes allocates and frees tens of MB; with glibc's defaults each block
// over the mmap threshold is unmapped when freed and its pages fault in again on the next read,
// which on a VM costs more than decoding the candles (store_bench, 1y of 1m from L3: 103-271 ms
// with the defaults, 52 ms with this). Blocks up to 64 MiB come from the heap, the heap grows 64 MiB
// at a time, and up to 256 MiB of free heap is kept. Call once at start-up, before any thread
// starts; a no-op elsewhere than glibc.
void keep_freed_memory();

}  // namespace ck

#include "timeframe/allocator_tuning.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace ck {

void keep_freed_memory() {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD) && defined(M_TOP_PAD)  // glibc
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // Grow the heap 64 MiB at a time: with the default 128 KiB pad the heap grew and shrank in small
  // steps around every large block, faulting its pages in again (aggregate bench: ~600 page faults
  // per call, most of its time).
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace ck

#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

// This program replaces the global operator new/delete (malloc/free) to count allocations.
// Memory the sanitizer runtime's own operator new handed out before the replacement took
// effect is then freed by free(), which ASan would report as a mismatch.
extern "C" const char* __asan_default_options() { return "alloc_dealloc_mismatch=0"; }

namespace {
std::atomic<std::size_t> g_allocations{0};
}

namespace tapegrad_test {
std::size_t allocation_count() { return g_allocations.load(); }
}  // namespace tapegrad_test

// Every allocation of the test program passes through here and is counted.
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

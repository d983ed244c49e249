#pragma once
// Counts calls to the global operator new in this test program (see alloc_counter.cpp).
#include <cstddef>

namespace tapegrad_test {
std::size_t allocation_count();
}

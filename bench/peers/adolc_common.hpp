#pragma once
// ADOL-C's taping, sized so that a whole tape stays in memory: ADOL-C writes a tape larger
// than its buffers to files in the working directory, which would time the disk.

#include <adolc/adolc.h>

namespace peers {

// Operations, locations, values, Taylor coefficients (elements of each buffer).
inline int adolc_trace_on(short tag, int keep_taylors) {
  return trace_on(tag, keep_taylors, 1u << 23, 1u << 24, 1u << 22, 1u << 23);
}

}  // namespace peers

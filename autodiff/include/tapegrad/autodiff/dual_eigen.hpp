#pragma once
// Lets Eigen hold Dual numbers (matrix nodes of second-order sweeps).

#include <Eigen/Core>
#include <limits>

#include "tapegrad/autodiff/dual.hpp"

namespace Eigen {
template <>
struct NumTraits<tapegrad::Dual> : GenericNumTraits<tapegrad::Dual> {
  using Real = tapegrad::Dual;
  using NonInteger = tapegrad::Dual;
  using Nested = tapegrad::Dual;
  using Literal = tapegrad::Dual;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 0,
    ReadCost = 2,
    AddCost = 2,
    MulCost = 3
  };
  static tapegrad::Dual epsilon() { return std::numeric_limits<double>::epsilon(); }
  static tapegrad::Dual dummy_precision() { return 1e-12; }
  static tapegrad::Dual highest() { return std::numeric_limits<double>::max(); }
  static tapegrad::Dual lowest() { return std::numeric_limits<double>::lowest(); }
  static int digits10() { return std::numeric_limits<double>::digits10; }
};
}  // namespace Eigen

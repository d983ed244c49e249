#pragma once
// tapegrad's engine: reverse-mode automatic differentiation on a flat tape.
//   Var, HVar             scalar variables (var.hpp), ops in scalar_ops.hpp
//   gradient, hessian     drivers for functions generic in their scalar type (drivers.hpp)

#include "tapegrad/autodiff/dual.hpp"
#include "tapegrad/autodiff/special.hpp"
#include "tapegrad/autodiff/tape.hpp"
#include "tapegrad/autodiff/var.hpp"
#include "tapegrad/autodiff/scalar_ops.hpp"
#include "tapegrad/autodiff/drivers.hpp"
#include "tapegrad/autodiff/matrix.hpp"
#include "tapegrad/autodiff/densities.hpp"
#include "tapegrad/autodiff/glm.hpp"
#include "tapegrad/autodiff/check.hpp"

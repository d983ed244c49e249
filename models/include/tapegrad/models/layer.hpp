#pragma once
// Layers: the pieces a model is composed of. A layer maps an n x k matrix (one row per
// observation) to an n x k' matrix on the tape; only the engine's primitives carry derivatives,
// so a layer never says how to differentiate itself.
//
// Built in (layers.cpp): linear (units, bias), sigmoid, softmax, tanh, relu, exp, identity.
// A user's layer: write `template <class Real> BasicMatVar<Real> forward_impl(const BasicMatVar<Real>&,
// const ParamBlock<Real>&) const` in a class derived from GenericLayer<YourLayer> and register
// a factory under a name (register_layer); the JSON config can then use that name.
#include <Eigen/Core>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tapegrad/autodiff/matrix.hpp"

namespace tapegrad::models {

class ObjectReader;

// The parameters one layer (or family) owns: a contiguous slice of the model's parameters.
template <class Real>
struct ParamBlock {
  const std::vector<BasicVar<Real>>* all = nullptr;
  std::size_t offset = 0;
  std::size_t count = 0;

  const BasicVar<Real>& operator[](std::size_t i) const { return (*all)[offset + i]; }
  // Parameters offset+at .. as a rows x cols matrix (column-major).
  BasicMatVar<Real> matrix(std::size_t at, Eigen::Index rows, Eigen::Index cols) const {
    return to_matrix(*all, offset + at, rows, cols);
  }
};

// What flows into a layer: the data itself (for the first layer: a view of the feature
// matrix, or of a shard's rows of it, never copied) or a matrix on the tape.
template <class Real>
struct LayerInput {
  std::optional<DataMatrix> data;
  BasicMatVar<Real> var;

  Eigen::Index cols() const { return data ? data->cols() : var.cols(); }
  // As a tape matrix (copies the data onto the tape when the input is the data).
  BasicMatVar<Real> as_var() const { return data ? BasicMatVar<Real>(*data) : var; }
};

// The weight (in x units) and bias (1 x units, or size 0 when there is none) of an affine layer,
// x W + b, on the tape. A model that is one affine layer and its family's fused activation
// hands them to the family (Family::glm_log_likelihood), which can then evaluate the whole
// likelihood in one pass over the data.
template <class Real>
struct Affine {
  BasicMatVar<Real> weight;
  BasicMatVar<Real> bias;
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string type() const = 0;
  // Output columns for `in` input columns.
  virtual Eigen::Index output_units(Eigen::Index in) const { return in; }
  virtual std::size_t parameter_count(Eigen::Index /*in*/) const { return 0; }
  // Names of the parameters, `prefix` being e.g. "linear0"; input_names name the input columns.
  virtual std::vector<std::string> parameter_names(const std::string& /*prefix*/,
                                                   const std::vector<std::string>& /*input_names*/) const {
    return {};
  }
  // Starting values; `spread` asks for random values (to break symmetry between hidden units).
  virtual void initialise(Eigen::Ref<Eigen::VectorXd> /*theta*/, Eigen::Index /*in*/, bool /*spread*/,
                          std::mt19937_64& /*rng*/) const {}
  virtual MatVar forward(const LayerInput<double>& in, const ParamBlock<double>& theta) const = 0;
  virtual HMatVar forward(const LayerInput<Dual>& in, const ParamBlock<Dual>& theta) const = 0;
  // For an affine layer (x W + b, as linear is) its W and b for `in` input columns; empty for
  // any other layer.
  virtual std::optional<Affine<double>> affine(Eigen::Index /*in*/, const ParamBlock<double>& /*theta*/) const {
    return std::nullopt;
  }
  virtual std::optional<Affine<Dual>> affine(Eigen::Index /*in*/, const ParamBlock<Dual>& /*theta*/) const {
    return std::nullopt;
  }
};

// Implements both forward() overrides from one template member of Derived:
//   template <class Real> BasicMatVar<Real> forward_impl(const BasicMatVar<Real>&, const ParamBlock<Real>&) const
template <class Derived>
class GenericLayer : public Layer {
 public:
  MatVar forward(const LayerInput<double>& in, const ParamBlock<double>& theta) const override {
    return static_cast<const Derived&>(*this).forward_impl(in.as_var(), theta);
  }
  HMatVar forward(const LayerInput<Dual>& in, const ParamBlock<Dual>& theta) const override {
    return static_cast<const Derived&>(*this).forward_impl(in.as_var(), theta);
  }
};

// Makes a layer from its JSON object (read through `options`: unread keys are refused after).
using LayerFactory = std::function<std::unique_ptr<Layer>(ObjectReader& options)>;

// Registers (or replaces) a layer type under `type`. Thread-safe.
void register_layer(const std::string& type, LayerFactory factory);
// The factory for `type`, or nullptr.
LayerFactory find_layer(const std::string& type);
std::vector<std::string> layer_types();

}  // namespace tapegrad::models

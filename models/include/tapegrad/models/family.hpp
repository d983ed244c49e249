#pragma once
// Likelihood families: how the model's output scores the target. The loss of every model is
// minus the sum over observations of log p(y_i | output_i); the tape differentiates it.
//
// Built in (families.cpp): gaussian (output = mean; sigma fixed or learned), bernoulli
// (output = probability, through sigmoid), categorical (output = probabilities, through
// softmax), poisson (output = rate, through exp).
//
// A family may FUSE the model's final activation: bernoulli takes sigmoid's input (the logit)
// and evaluates log p through the stable softplus form, categorical takes softmax's input
// through log_softmax, poisson takes exp's input (the log rate). The model hands such a family
// the last layer's input instead of its output, so saturated outputs still give exact, finite
// losses and gradients.
//
// A user's family: derive from GenericFamily<YourFamily>, write
//   template <class Real> BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& output,
//       const Dataset& data, const ParamBlock<Real>& own_parameters) const
// and register a factory under a name (register_family).
#include <Eigen/Core>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapegrad/autodiff/glm.hpp"
#include "tapegrad/autodiff/matrix.hpp"
#include "tapegrad/models/dataset.hpp"
#include "tapegrad/models/layer.hpp"

namespace tapegrad::models {

class ObjectReader;

// A parameter of the family itself (a learned sigma), placed after the layers' parameters.
struct FamilyParameter {
  std::string name;
  bool log_scale = false;  // optimised as log(value) so it stays positive; reported as the value
};

// What the model produces, for Family::check_output to refuse a model that cannot feed it.
struct ModelShape {
  Eigen::Index units = 0;       // columns of the model's output
  std::string last_layer;       // type of the last layer ("" for an empty model)
  std::string last_layer_path;  // its JSON path, "/model/1" (for messages)
  std::string config_file;      // for messages
};

class Family {
 public:
  virtual ~Family() = default;
  virtual std::string name() const = 0;
  // The final activation this family evaluates through its own stable form ("" for none).
  virtual std::string fused_activation() const { return {}; }
  // Whether the target column is read as text (class labels).
  virtual bool text_target() const { return false; }
  // Checks the target and fills what the family needs (labels, class_names). For text targets
  // `text` holds the cells; otherwise data.target holds the numbers. Throws InputError naming
  // data.source, the column and the row.
  // Called once, before check_output.
  virtual void prepare_target(Dataset& /*data*/, const std::vector<std::string>& /*text*/) {}
  // Throws InputError (naming the config file and JSON path, and how to fix the config) when
  // the model's output cannot feed this family.
  virtual void check_output(const ModelShape& /*shape*/, const Dataset& /*data*/) const {}
  virtual std::vector<FamilyParameter> parameters() const { return {}; }
  // Starting values of parameters() (on their optimisation scale).
  virtual void initialise(Eigen::Ref<Eigen::VectorXd> /*theta*/, const Dataset& /*data*/) const {}
  // sum_i log p(y_i | output_i), output being the fused activation's input where there is one.
  virtual Var log_likelihood(const MatVar& output, const Dataset& data, const ParamBlock<double>& theta) const = 0;
  virtual HVar log_likelihood(const HMatVar& output, const Dataset& data, const ParamBlock<Dual>& theta) const = 0;
  // The same sum for a model that is one affine layer (then this family's fused activation, if
  // it has one), output = x W + b, evaluated without recording the output: a GLM node reads x once
  // (glm.hpp). Empty when the family has no such form; the model then records its layers.
  virtual std::optional<Var> glm_log_likelihood(const DataMatrix& /*x*/, const Affine<double>& /*affine*/,
                                                const Dataset& /*data*/, const ParamBlock<double>& /*theta*/) const {
    return std::nullopt;
  }
  virtual std::optional<HVar> glm_log_likelihood(const DataMatrix& /*x*/, const Affine<Dual>& /*affine*/,
                                                 const Dataset& /*data*/, const ParamBlock<Dual>& /*theta*/) const {
    return std::nullopt;
  }
  // Value, gradient and Hessian of that GLM sum with respect to (vec(W), b) in one pass over x
  // (glm.hpp's *_glm_derivatives), for standard errors. Empty when the family has no such form.
  virtual std::optional<GlmDerivatives> glm_derivatives(const DataMatrix& /*x*/, const Eigen::MatrixXd& /*w*/,
                                                        const Eigen::RowVectorXd& /*b*/, const Dataset& /*data*/) const {
    return std::nullopt;
  }
  // The same with respect to (vec(W), b, own): `own` holds the family's parameters() as theta
  // does (a learned sigma as log sigma). By default: glm_derivatives when there are none.
  virtual std::optional<GlmDerivatives> glm_derivatives_with_parameters(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                                        const Eigen::RowVectorXd& b,
                                                                        const Eigen::VectorXd& own,
                                                                        const Dataset& data) const {
    if (own.size() != 0) return std::nullopt;
    return glm_derivatives(x, w, b, data);
  }
};

namespace detail {
// Whether a family has `template <class Real> BasicVar<Real> glm_impl(const DataMatrix&,
// const Affine<Real>&, const Dataset&) const`, or the same with its own parameters as a fourth
// argument, `const ParamBlock<Real>&`.
template <class F, class = void>
struct has_glm_impl : std::false_type {};
template <class F>
struct has_glm_impl<F, std::void_t<decltype(std::declval<const F&>().glm_impl(
                           std::declval<const DataMatrix&>(), std::declval<const Affine<double>&>(),
                           std::declval<const Dataset&>()))>> : std::true_type {};
template <class F, class = void>
struct has_glm_impl_with_parameters : std::false_type {};
template <class F>
struct has_glm_impl_with_parameters<F, std::void_t<decltype(std::declval<const F&>().glm_impl(
                                           std::declval<const DataMatrix&>(), std::declval<const Affine<double>&>(),
                                           std::declval<const Dataset&>(),
                                           std::declval<const ParamBlock<double>&>()))>> : std::true_type {};
// Whether a family has `std::optional<GlmDerivatives> glm_derivatives_impl(const DataMatrix&,
// const Eigen::MatrixXd&, const Eigen::RowVectorXd&, const Dataset&) const`.
template <class F, class = void>
struct has_glm_derivatives_impl : std::false_type {};
template <class F>
struct has_glm_derivatives_impl<F, std::void_t<decltype(std::declval<const F&>().glm_derivatives_impl(
                                       std::declval<const DataMatrix&>(), std::declval<const Eigen::MatrixXd&>(),
                                       std::declval<const Eigen::RowVectorXd&>(), std::declval<const Dataset&>()))>>
    : std::true_type {};
// ... or `glm_derivatives_impl(x, w, b, own, data)`, own being its parameters as theta holds them.
template <class F, class = void>
struct has_glm_derivatives_impl_with_parameters : std::false_type {};
template <class F>
struct has_glm_derivatives_impl_with_parameters<
    F, std::void_t<decltype(std::declval<const F&>().glm_derivatives_impl(
           std::declval<const DataMatrix&>(), std::declval<const Eigen::MatrixXd&>(),
           std::declval<const Eigen::RowVectorXd&>(), std::declval<const Eigen::VectorXd&>(),
           std::declval<const Dataset&>()))>> : std::true_type {};
}  // namespace detail

// Implements the virtual members from templates of Derived: log_likelihood_impl (required),
// glm_impl (optional: a family that has a GLM form writes it once for both scalar types; with a
// ParamBlock fourth argument when the form uses the family's own parameters) and
// glm_derivatives_impl (optional: that form's one-pass value, gradient and Hessian; with an
// `own` argument before the data for a family with parameters).
template <class Derived>
class GenericFamily : public Family {
 public:
  Var log_likelihood(const MatVar& output, const Dataset& data, const ParamBlock<double>& theta) const override {
    return static_cast<const Derived&>(*this).log_likelihood_impl(output, data, theta);
  }
  HVar log_likelihood(const HMatVar& output, const Dataset& data, const ParamBlock<Dual>& theta) const override {
    return static_cast<const Derived&>(*this).log_likelihood_impl(output, data, theta);
  }
  std::optional<Var> glm_log_likelihood(const DataMatrix& x, const Affine<double>& affine, const Dataset& data,
                                        const ParamBlock<double>& theta) const override {
    return glm(x, affine, data, theta);
  }
  std::optional<HVar> glm_log_likelihood(const DataMatrix& x, const Affine<Dual>& affine, const Dataset& data,
                                         const ParamBlock<Dual>& theta) const override {
    return glm(x, affine, data, theta);
  }
  std::optional<GlmDerivatives> glm_derivatives(const DataMatrix& x, const Eigen::MatrixXd& w, const Eigen::RowVectorXd& b,
                                                const Dataset& data) const override {
    if constexpr (detail::has_glm_derivatives_impl<Derived>::value) {
      return static_cast<const Derived&>(*this).glm_derivatives_impl(x, w, b, data);
    } else {
      return std::nullopt;
    }
  }
  std::optional<GlmDerivatives> glm_derivatives_with_parameters(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                                const Eigen::RowVectorXd& b, const Eigen::VectorXd& own,
                                                                const Dataset& data) const override {
    if constexpr (detail::has_glm_derivatives_impl_with_parameters<Derived>::value) {
      return static_cast<const Derived&>(*this).glm_derivatives_impl(x, w, b, own, data);
    } else {
      return Family::glm_derivatives_with_parameters(x, w, b, own, data);
    }
  }

 private:
  template <class Real>
  std::optional<BasicVar<Real>> glm(const DataMatrix& x, const Affine<Real>& affine, const Dataset& data,
                                    const ParamBlock<Real>& theta) const {
    if constexpr (detail::has_glm_impl_with_parameters<Derived>::value) {
      return static_cast<const Derived&>(*this).glm_impl(x, affine, data, theta);
    } else if constexpr (detail::has_glm_impl<Derived>::value) {
      return static_cast<const Derived&>(*this).glm_impl(x, affine, data);
    } else {
      return std::nullopt;
    }
  }
};

// Makes a family from the config's "likelihood" object (read through `options`).
using FamilyFactory = std::function<std::unique_ptr<Family>(ObjectReader& options)>;

void register_family(const std::string& name, FamilyFactory factory);
FamilyFactory find_family(const std::string& name);
std::vector<std::string> family_names();

}  // namespace tapegrad::models

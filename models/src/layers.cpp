// The built-in layers and the layer registry.
#include <cmath>

#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/layer.hpp"
#include "registry.hpp"

namespace tapegrad::models {

namespace {

// x W + b, row by row: W is in x units, b is 1 x units. Parameters: b first (as R lists the
// intercept first), then W column by column, so unit j's weights are contiguous.
class Linear final : public Layer {
 public:
  Linear(Eigen::Index units, bool bias) : units_(units), bias_(bias) {}
  std::string type() const override { return "linear"; }
  Eigen::Index output_units(Eigen::Index) const override { return units_; }
  std::size_t parameter_count(Eigen::Index in) const override {
    return static_cast<std::size_t>((in + (bias_ ? 1 : 0)) * units_);
  }
  std::vector<std::string> parameter_names(const std::string& prefix,
                                           const std::vector<std::string>& input_names) const override {
    std::vector<std::string> names;
    if (bias_)
      for (Eigen::Index j = 0; j < units_; ++j) names.push_back(prefix + ".bias[" + std::to_string(j) + "]");
    for (Eigen::Index j = 0; j < units_; ++j)
      for (const auto& input : input_names) names.push_back(prefix + ".weight[" + std::to_string(j) + "," + input + "]");
    return names;
  }
  // Glorot-uniform weights when asked to spread (hidden layers), else zeros (a GLM's usual start).
  void initialise(Eigen::Ref<Eigen::VectorXd> theta, Eigen::Index in, bool spread,
                  std::mt19937_64& rng) const override {
    theta.setZero();
    if (!spread) return;
    const double limit = std::sqrt(6.0 / static_cast<double>(in + units_));
    std::uniform_real_distribution<double> uniform(-limit, limit);
    for (Eigen::Index k = bias_ ? units_ : 0; k < theta.size(); ++k) theta[k] = uniform(rng);
  }
  MatVar forward(const LayerInput<double>& in, const ParamBlock<double>& theta) const override {
    return apply(in, theta);
  }
  HMatVar forward(const LayerInput<Dual>& in, const ParamBlock<Dual>& theta) const override { return apply(in, theta); }
  std::optional<Affine<double>> affine(Eigen::Index in, const ParamBlock<double>& theta) const override {
    return affine_of(in, theta);
  }
  std::optional<Affine<Dual>> affine(Eigen::Index in, const ParamBlock<Dual>& theta) const override {
    return affine_of(in, theta);
  }

 private:
  template <class Real>
  Affine<Real> affine_of(Eigen::Index in, const ParamBlock<Real>& theta) const {
    const std::size_t bias_count = bias_ ? static_cast<std::size_t>(units_) : 0;
    return {theta.matrix(bias_count, in, units_), bias_ ? theta.matrix(0, 1, units_) : BasicMatVar<Real>()};
  }
  template <class Real>
  BasicMatVar<Real> apply(const LayerInput<Real>& in, const ParamBlock<Real>& theta) const {
    const Affine<Real> a = affine_of(in.cols(), theta);
    BasicMatVar<Real> out = in.data ? matmul(*in.data, a.weight) : matmul(in.var, a.weight);
    if (bias_) out = add_to_rows(out, a.bias);
    return out;
  }

  Eigen::Index units_;
  bool bias_;
};

// An elementwise (or row-wise) map without parameters, named by `Type`.
template <class Map>
class Activation final : public GenericLayer<Activation<Map>> {
 public:
  explicit Activation(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  template <class Real>
  BasicMatVar<Real> forward_impl(const BasicMatVar<Real>& in, const ParamBlock<Real>&) const {
    return Map{}(in);
  }

 private:
  std::string type_;
};

struct SigmoidMap { template <class M> M operator()(const M& a) const { return sigmoid(a); } };
struct SoftmaxMap { template <class M> M operator()(const M& a) const { return softmax_rows(a); } };
struct TanhMap { template <class M> M operator()(const M& a) const { return tanh(a); } };
struct ReluMap { template <class M> M operator()(const M& a) const { return relu(a); } };
struct ExpMap { template <class M> M operator()(const M& a) const { return exp(a); } };
struct IdentityMap { template <class M> M operator()(const M& a) const { return a; } };

template <class Map>
LayerFactory activation(const std::string& type) {
  return [type](ObjectReader&) -> std::unique_ptr<Layer> { return std::make_unique<Activation<Map>>(type); };
}

detail::Registry<LayerFactory>& registry() {
  static detail::Registry<LayerFactory> r;
  static const bool built_in = [] {
    r.add("linear", [](ObjectReader& options) -> std::unique_ptr<Layer> {
      const auto units = options.integer("units", 1, 1000000);
      const bool bias = options.boolean("bias", true);
      return std::make_unique<Linear>(static_cast<Eigen::Index>(units), bias);
    });
    r.add("sigmoid", activation<SigmoidMap>("sigmoid"));
    r.add("softmax", activation<SoftmaxMap>("softmax"));
    r.add("tanh", activation<TanhMap>("tanh"));
    r.add("relu", activation<ReluMap>("relu"));
    r.add("exp", activation<ExpMap>("exp"));
    r.add("identity", activation<IdentityMap>("identity"));
    return true;
  }();
  (void)built_in;
  return r;
}

}  // namespace

void register_layer(const std::string& type, LayerFactory factory) { registry().add(type, std::move(factory)); }
LayerFactory find_layer(const std::string& type) { return registry().find(type); }
std::vector<std::string> layer_types() { return registry().names(); }

}  // namespace tapegrad::models

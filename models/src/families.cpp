// The built-in likelihood families and the family registry.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "registry.hpp"
#include "tapegrad/autodiff/densities.hpp"
#include "tapegrad/autodiff/glm.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/family.hpp"
#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/layer.hpp"

namespace tapegrad::models {

namespace {

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string shortest(double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

[[noreturn]] void bad_target(const Dataset& data, std::size_t row, const std::string& what) {
  const std::size_t line = data.row_lines.line_of(row);
  throw InputError(data.source + ": " + (line > 0 ? "line " + std::to_string(line) : "data row " + std::to_string(row + 1)) +
                   ", column " + in_quotes(data.target_name) + ": " + what);
}

// A family fed through `activation` needs the model to end in it, with `units` columns.
void require_ending(const ModelShape& shape, const std::string& family, const std::string& activation,
                    const std::string& what_it_models) {
  if (shape.last_layer != activation)
    fail_at(shape.config_file, shape.last_layer_path,
            family + " models " + what_it_models + ", so the model must end in {\"type\": \"" + activation +
                "\"}; found " + (shape.last_layer.empty() ? "an empty model" : in_quotes(shape.last_layer)) +
                " as the last layer (add " + (activation == "exp" ? "an " : "a ") + in_quotes(activation) + " layer after it)");
}

void require_units(const ModelShape& shape, const std::string& family, Eigen::Index units, const std::string& why) {
  if (shape.units != units)
    fail_at(shape.config_file, shape.last_layer_path,
            family + " needs " + std::to_string(units) + " output column" + (units == 1 ? "" : "s") + " (" + why +
                "), but the model gives " + std::to_string(shape.units) + "; set the last linear layer's units to " +
                std::to_string(units));
}

// Normal(y | mean, sigma): sigma held fixed, or learned (optimised as log sigma).
class Gaussian final : public GenericFamily<Gaussian> {
 public:
  explicit Gaussian(double fixed_sigma) : fixed_sigma_(fixed_sigma) {}
  std::string name() const override { return "gaussian"; }
  // The mean is the model's output as it is: a last identity layer changes nothing, so a
  // linear + identity model is linear regression too (one GLM pass).
  std::string fused_activation() const override { return "identity"; }
  void check_output(const ModelShape& shape, const Dataset&) const override {
    require_units(shape, "gaussian", 1, "one mean per observation");
  }
  std::vector<FamilyParameter> parameters() const override {
    if (learned()) return {FamilyParameter{"sigma", true}};
    return {};
  }
  // log sd(y): a scale the mean model will not be far from.
  void initialise(Eigen::Ref<Eigen::VectorXd> theta, const Dataset& data) const override {
    if (!learned()) return;
    theta[0] = 0.0;
    if (data.target.size() == 0) return;  // a rank with no rows (more ranks than rows): Eigen's mean needs one
    const double mean = data.target.mean();
    const double var = (data.target.array() - mean).square().mean();
    theta[0] = var > 0 && std::isfinite(var) ? 0.5 * std::log(var) : 0.0;
  }
  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& mean, const Dataset& data,
                                     const ParamBlock<Real>& theta) const {
    if (learned()) return normal_lpdf(data.target, mean, exp(theta[0]));
    return normal_lpdf(data.target, mean, fixed_sigma_);
  }
  // Linear regression: the mean is x W + b itself, one pass over x (normal_id_glm_lpdf).
  template <class Real>
  BasicVar<Real> glm_impl(const DataMatrix& x, const Affine<Real>& a, const Dataset& data,
                          const ParamBlock<Real>& theta) const {
    if (learned()) return normal_id_glm_lpdf(data.target, x, a.weight, a.bias, exp(theta[0]));
    return normal_id_glm_lpdf(data.target, x, a.weight, a.bias, fixed_sigma_);
  }
  std::optional<GlmDerivatives> glm_derivatives_impl(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                     const Eigen::RowVectorXd& b, const Eigen::VectorXd& own,
                                                     const Dataset& data) const {
    if (learned()) return normal_id_glm_derivatives(data.target, x, w, b, std::exp(own[0]), true);
    return normal_id_glm_derivatives(data.target, x, w, b, fixed_sigma_);
  }

 private:
  bool learned() const { return fixed_sigma_ == 0; }
  double fixed_sigma_;  // 0: learned
};

// Bernoulli(y | sigmoid(eta)), y in {0, 1}.
class Bernoulli final : public GenericFamily<Bernoulli> {
 public:
  std::string name() const override { return "bernoulli"; }
  std::string fused_activation() const override { return "sigmoid"; }
  void prepare_target(Dataset& data, const std::vector<std::string>&) override {
    for (Eigen::Index i = 0; i < data.target.size(); ++i) {
      const double y = data.target[i];
      if (y != 0 && y != 1) bad_target(data, static_cast<std::size_t>(i), "bernoulli needs 0 or 1, found " + shortest(y));
    }
  }
  void check_output(const ModelShape& shape, const Dataset&) const override {
    require_ending(shape, "bernoulli", "sigmoid", "a probability");
    require_units(shape, "bernoulli", 1, "one probability per observation");
  }
  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& logit, const Dataset& data,
                                     const ParamBlock<Real>&) const {
    return bernoulli_logit_lpmf(data.target, logit);
  }
  template <class Real>
  BasicVar<Real> glm_impl(const DataMatrix& x, const Affine<Real>& a, const Dataset& data) const {
    return bernoulli_logit_glm_lpmf(data.target, x, a.weight, a.bias);
  }
  std::optional<GlmDerivatives> glm_derivatives_impl(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                     const Eigen::RowVectorXd& b, const Dataset& data) const {
    return bernoulli_logit_glm_derivatives(data.target, x, w, b);
  }
};

// Poisson(y | exp(eta)), y a count.
class Poisson final : public GenericFamily<Poisson> {
 public:
  std::string name() const override { return "poisson"; }
  std::string fused_activation() const override { return "exp"; }
  void prepare_target(Dataset& data, const std::vector<std::string>&) override {
    for (Eigen::Index i = 0; i < data.target.size(); ++i) {
      const double y = data.target[i];
      if (!(y >= 0) || y != std::floor(y) || y > 1e15)
        bad_target(data, static_cast<std::size_t>(i), "poisson needs a count (0, 1, 2, ...), found " + shortest(y));
    }
  }
  void check_output(const ModelShape& shape, const Dataset&) const override {
    require_ending(shape, "poisson", "exp", "a rate");
    require_units(shape, "poisson", 1, "one rate per observation");
  }
  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& log_rate, const Dataset& data,
                                     const ParamBlock<Real>&) const {
    return poisson_log_lpmf(data.target, log_rate);
  }
  template <class Real>
  BasicVar<Real> glm_impl(const DataMatrix& x, const Affine<Real>& a, const Dataset& data) const {
    return poisson_log_glm_lpmf(data.target, x, a.weight, a.bias);
  }
  std::optional<GlmDerivatives> glm_derivatives_impl(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                     const Eigen::RowVectorXd& b, const Dataset& data) const {
    return poisson_log_glm_derivatives(data.target, x, w, b);
  }
};

// Categorical(y | softmax(eta)). Labels are integers 0..K-1, or text mapped to classes in sorted
// order. With a reference class the model gives K-1 logits and the reference's logit is 0,
// which makes softmax regression identifiable (as R's multinom does).
class Categorical final : public GenericFamily<Categorical> {
 public:
  Categorical(long long classes, std::string reference, std::string classes_path, std::string reference_path,
              std::string config_file)
      : declared_classes_(classes),
        reference_name_(std::move(reference)),
        classes_path_(std::move(classes_path)),
        reference_path_(std::move(reference_path)),
        config_file_(std::move(config_file)) {}
  std::string name() const override { return "categorical"; }
  std::string fused_activation() const override { return "softmax"; }
  bool text_target() const override { return true; }

  // The classes are the distinct labels, never a range: integers in numeric order (0..K-1 stay
  // classes 0..K-1), text in byte order; with `classes` declared, integers 0..classes-1.
  void prepare_target(Dataset& data, const std::vector<std::string>& text) override {
    std::vector<std::string> distinct = data.all_labels;
    if (distinct.empty()) {
      distinct = text;
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    }
    std::vector<long long> values(distinct.size());
    bool all_integers = true;
    for (std::size_t i = 0; i < distinct.size() && all_integers; ++i) {
      const char* first = distinct[i].data();
      const char* last = first + distinct[i].size();
      auto [end, error] = std::from_chars(first, last, values[i]);
      all_integers = error == std::errc() && end == last;
    }
    const std::size_t n = text.size();
    data.labels.resize(static_cast<Eigen::Index>(n));
    data.class_names.clear();
    if (all_integers) {
      std::vector<long long> classes(values);
      std::sort(classes.begin(), classes.end());
      classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
      if (declared_classes_ > 0) {
        classes.resize(static_cast<std::size_t>(declared_classes_));
        for (long long c = 0; c < declared_classes_; ++c) classes[static_cast<std::size_t>(c)] = c;
      }
      for (const long long c : classes) data.class_names.push_back(std::to_string(c));
      for (std::size_t i = 0; i < n; ++i) {
        long long value = 0;
        std::from_chars(text[i].data(), text[i].data() + text[i].size(), value);
        if (declared_classes_ > 0 && (value < 0 || value >= declared_classes_))
          bad_target(data, i, "class label " + std::to_string(value) + " is out of range 0.." +
                                  std::to_string(declared_classes_ - 1) + " (likelihood.classes is " +
                                  std::to_string(declared_classes_) + ")");
        const auto at = std::lower_bound(classes.begin(), classes.end(), value);
        data.labels[static_cast<Eigen::Index>(i)] = static_cast<int>(at - classes.begin());
      }
    } else {
      if (declared_classes_ > 0)
        fail_at(config_file_, classes_path_, "classes is for integer labels 0..K-1, but column " +
                                                 in_quotes(data.target_name) + " holds text labels such as " +
                                                 in_quotes(distinct.front()));
      data.class_names = distinct;
      for (std::size_t i = 0; i < n; ++i) {
        const auto at = std::lower_bound(distinct.begin(), distinct.end(), text[i]);
        data.labels[static_cast<Eigen::Index>(i)] = static_cast<int>(at - distinct.begin());
      }
    }
    data.target = data.labels.cast<double>();
    resolve_reference(data);
  }

  void check_output(const ModelShape& shape, const Dataset& data) const override {
    require_ending(shape, "categorical", "softmax", "class probabilities");
    const auto k = static_cast<Eigen::Index>(data.class_names.size());
    if (k < 2)
      throw InputError(data.source + ": column " + in_quotes(data.target_name) +
                       ": categorical needs at least 2 classes, found " + std::to_string(k));
    if (reference_ >= 0)
      require_units(shape, "categorical", k - 1,
                    std::to_string(k) + " classes in " + in_quotes(data.target_name) + " less the reference class " +
                        in_quotes(data.class_names[static_cast<std::size_t>(reference_)]));
    else
      require_units(shape, "categorical", k,
                    "one per class: " + in_quotes(data.target_name) + " has " + std::to_string(k) + " classes");
  }

  template <class Real>
  BasicVar<Real> log_likelihood_impl(const BasicMatVar<Real>& logits, const Dataset& data,
                                     const ParamBlock<Real>&) const {
    if (reference_ < 0) return categorical_logit_lpmf(data.labels, logits);
    return categorical_logit_lpmf(data.labels, matmul(logits, insert_reference_));
  }

  // With a reference class, x W R + b R where R inserts the reference's zero column: W R is
  // d x K, the GLM node's weights.
  template <class Real>
  BasicVar<Real> glm_impl(const DataMatrix& x, const Affine<Real>& a, const Dataset& data) const {
    if (reference_ < 0) return categorical_logit_glm_lpmf(data.labels, x, a.weight, a.bias);
    const BasicMatVar<Real> w = matmul(a.weight, insert_reference_);
    if (a.bias.size() == 0) return categorical_logit_glm_lpmf(data.labels, x, w);
    return categorical_logit_glm_lpmf(data.labels, x, w, matmul(a.bias, insert_reference_));
  }
  // With a reference class W R only places W's columns among K (the reference's is 0), so the
  // derivatives with respect to (vec(W), b) are those of (vec(W R), b R) at the other classes'
  // entries: the rows and columns of the K-class Hessian that belong to free parameters.
  std::optional<GlmDerivatives> glm_derivatives_impl(const DataMatrix& x, const Eigen::MatrixXd& w,
                                                     const Eigen::RowVectorXd& b, const Dataset& data) const {
    if (reference_ < 0) return categorical_logit_glm_derivatives(data.labels, x, w, b);
    const Eigen::RowVectorXd b_full = b.size() == 0 ? Eigen::RowVectorXd() : Eigen::RowVectorXd(b * insert_reference_);
    GlmDerivatives full = categorical_logit_glm_derivatives(data.labels, x, w * insert_reference_, b_full);
    const Eigen::Index d = x.cols(), k = insert_reference_.cols();
    std::vector<Eigen::Index> free;  // u's entries in the K-class layout: W's columns, then b's
    for (Eigen::Index c = 0; c < k; ++c)
      for (Eigen::Index j = 0; j < d && c != reference_; ++j) free.push_back(j + d * c);
    for (Eigen::Index c = 0; c < k && b.size() != 0; ++c)
      if (c != reference_) free.push_back(d * k + c);
    GlmDerivatives out;
    out.value = full.value;
    out.gradient = full.gradient(free);
    out.hessian = full.hessian(free, free);
    return out;
  }

 private:
  void resolve_reference(const Dataset& data) {
    reference_ = -1;
    if (reference_name_.empty()) return;
    const auto& names = data.class_names;
    const auto k = static_cast<Eigen::Index>(names.size());
    auto it = std::find(names.begin(), names.end(), reference_name_);
    if (it == names.end()) {
      std::string list;
      for (const auto& c : names) list += (list.empty() ? "" : ", ") + c;
      fail_at(config_file_, reference_path_,
              "no class " + in_quotes(reference_name_) + " in column " + in_quotes(data.target_name) + " (classes: " + list + ")");
    }
    reference_ = static_cast<Eigen::Index>(it - names.begin());
    // (K-1) x K: logit j of the model becomes class j's logit, skipping the reference's column.
    insert_reference_ = Eigen::MatrixXd::Zero(k - 1, k);
    for (Eigen::Index j = 0; j < k - 1; ++j) insert_reference_(j, j < reference_ ? j : j + 1) = 1;
  }

  long long declared_classes_;  // 0: from the data
  std::string reference_name_;  // "" : no reference class
  std::string classes_path_, reference_path_, config_file_;
  Eigen::Index reference_ = -1;
  Eigen::MatrixXd insert_reference_;
};

detail::Registry<FamilyFactory>& registry() {
  static detail::Registry<FamilyFactory> r;
  static const bool built_in = [] {
    r.add("gaussian", [](ObjectReader& options) -> std::unique_ptr<Family> {
      double sigma = 0;
      if (options.has("sigma") && !options.at("sigma").is_string()) {
        sigma = options.positive("sigma", 0);
      } else if (options.has("sigma") && options.string("sigma") != "learned") {
        options.fail("sigma", "expected a positive number or \"learned\", found " + describe(options.at("sigma")));
      }
      return std::make_unique<Gaussian>(sigma);
    });
    r.add("bernoulli", [](ObjectReader&) -> std::unique_ptr<Family> { return std::make_unique<Bernoulli>(); });
    r.add("poisson", [](ObjectReader&) -> std::unique_ptr<Family> { return std::make_unique<Poisson>(); });
    r.add("categorical", [](ObjectReader& options) -> std::unique_ptr<Family> {
      const long long classes = options.integer("classes", 0, 2, 1000000);
      std::string reference;
      if (options.has("reference_class")) {
        const auto& v = options.at("reference_class");
        if (v.is_number_integer()) reference = std::to_string(options.integer("reference_class", 0, 1000000));
        else reference = options.string("reference_class");
      }
      return std::make_unique<Categorical>(classes, reference, options.path("classes"),
                                           options.path("reference_class"), options.file());
    });
    return true;
  }();
  (void)built_in;
  return r;
}

}  // namespace

void register_family(const std::string& name, FamilyFactory factory) { registry().add(name, std::move(factory)); }
FamilyFactory find_family(const std::string& name) { return registry().find(name); }
std::vector<std::string> family_names() { return registry().names(); }

}  // namespace tapegrad::models

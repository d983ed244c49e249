#include "tapegrad/models/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"

namespace tapegrad::models {

std::unique_ptr<Family> make_family(const ExperimentConfig& config) {
  ObjectReader options(config.likelihood.options, config.likelihood.path, config.file);
  options.has("family");
  auto family = find_family(config.likelihood.type)(options);
  options.finish();
  return family;
}

std::unique_ptr<Layer> make_layer(const ExperimentConfig& config, std::size_t index) {
  const ComponentConfig& layer = config.model.at(index);
  ObjectReader options(layer.options, layer.path, config.file);
  options.has("type");
  auto built = find_layer(layer.type)(options);
  options.finish();
  return built;
}

namespace {

CsvTable read_table(const ExperimentConfig& config, const Family& family, Communicator* communicator) {
  CsvRequest request;
  if (communicator) {
    request.part = static_cast<std::size_t>(communicator->rank());
    request.parts = static_cast<std::size_t>(communicator->size());
  }
  request.path = config.data.csv;
  request.target = config.data.target;
  request.features = config.data.features;
  request.target_as_text = family.text_target();
  request.drop_missing = config.data.drop_missing;
  request.threads = config.fit.threads;  // the threads that evaluate the rows also parse them (0: every core)
  return read_csv(request);
}

// The rest of loading once the table is read (and, under mpirun, the labels agreed): the target,
// the checks on the fit's options, the model.
void build(Experiment& e, std::unique_ptr<Family> family, CsvTable table, std::vector<std::string> all_labels) {
  const ExperimentConfig& config = e.config;
  Dataset& data = e.data;
  data.source = config.data.csv;
  data.target_name = config.data.target;
  data.feature_names = std::move(table.feature_names);
  data.features = std::move(table.features);
  data.target = std::move(table.target);
  data.rows_dropped = table.rows_dropped;
  data.row_lines = std::move(table.row_lines);
  data.all_labels = std::move(all_labels);
  family->prepare_target(data, table.target_text);
  table.target_text = {};
  data.all_labels = {};

  const auto& o = config.fit.optimizer;
  if (e.communicator && (o.method == "adam" || o.method == "sgd"))
    fail_at(config.file, "/fit/optimizer",
            "optimizer \"" + o.method + "\" is not available under mpirun (mini-batches are not split across "
            "processes); use \"lbfgs\" or \"newton\", or run without mpirun");
  if (!e.communicator && o.batch_size > data.rows())
    fail_at(config.file, config.fit.batch_size_path,
            "batch_size must be at most the number of observations (" + std::to_string(data.rows()) + " in " +
                data.source + "), found " + std::to_string(o.batch_size));

  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<std::string> paths;
  for (std::size_t l = 0; l < config.model.size(); ++l) {
    layers.push_back(make_layer(config, l));
    paths.push_back(config.model[l].path);
  }
  e.model = std::make_unique<Model>(std::move(layers), std::move(paths), std::move(family), data, config.file);
  e.total_rows = data.rows();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The distinct labels of every rank's rows, sorted: each rank's own, length-prefixed, gathered.
std::vector<std::string> labels_of_every_rank(Communicator& communicator, const std::vector<std::string>& text) {
  std::vector<std::string> mine(text);
  std::sort(mine.begin(), mine.end());
  mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
  std::string packed;
  for (const std::string& label : mine) packed += std::to_string(label.size()) + ':' + label;
  std::vector<std::string> all;
  for (const std::string& from : communicator.all_gather(packed)) {
    for (std::size_t at = 0; at < from.size();) {
      const std::size_t colon = from.find(':', at);
      const std::size_t size = std::stoull(from.substr(at, colon - at));
      all.push_back(from.substr(colon + 1, size));
      at = colon + 1 + size;
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

// A fingerprint of what must be the same on every rank: the parameters' names (which hold the
// features and, for categorical data, the classes).
double layout_fingerprint(const Model& model) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const auto& name : model.parameter_names())
    for (unsigned char c : name + '\n') h = (h ^ c) * 1099511628211ull;
  return static_cast<double>(h >> 11);  // exact in a double
}

}  // namespace

Experiment load_experiment(const ExperimentConfig& config, Communicator* communicator) {
  const auto start = std::chrono::steady_clock::now();
  Experiment e;
  e.config = config;
  e.communicator = communicator;
  if (!communicator) {
    std::unique_ptr<Family> family = make_family(config);
    CsvTable table = read_table(config, *family, nullptr);
    build(e, std::move(family), std::move(table), {});
    e.load_seconds = seconds_since(start);
    return e;
  }
  // Under mpirun every step that can fail is followed by every rank agreeing on the outcome, so
  // no rank waits in a collective call that another rank never reaches.
  std::unique_ptr<Family> family;
  CsvTable table;
  on_every_rank(*communicator, [&] {
    family = make_family(config);
    table = read_table(config, *family, communicator);
  });
  // A rank's share may be empty (more ranks than rows, or its rows dropped); the whole may not.
  double counts[2] = {static_cast<double>(table.features.rows()), static_cast<double>(table.rows_dropped)};
  communicator->sum(counts, 2);
  const auto total_rows = static_cast<std::size_t>(counts[0]), total_dropped = static_cast<std::size_t>(counts[1]);
  on_every_rank(*communicator, [&] { require_rows(config.data.csv, total_rows, total_dropped); });
  // The classes come from every rank's labels, so they are those of a single process.
  std::vector<std::string> all_labels;
  if (family->text_target()) all_labels = labels_of_every_rank(*communicator, table.target_text);
  on_every_rank(*communicator, [&] { build(e, std::move(family), std::move(table), std::move(all_labels)); });
  e.total_rows = total_rows;
  e.data.rows_dropped = total_dropped;

  // Every rank must have built the same parameters.
  double mine[2] = {layout_fingerprint(*e.model), static_cast<double>(e.model->parameter_count())};
  double first[2] = {mine[0], mine[1]};
  communicator->broadcast(first, 2);
  const bool same = first[0] == mine[0] && first[1] == mine[1];
  communicator->agree(same ? "" : e.config.data.csv + ": the rows this process read give the model " +
                                      std::to_string(e.model->parameter_count()) +
                                      " parameters (or other names) than rank 0's",
                      false);
  e.load_seconds = seconds_since(start);
  return e;
}

}  // namespace tapegrad::models

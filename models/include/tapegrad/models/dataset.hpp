#pragma once
// The data a model is fitted to: a feature matrix and the target column, prepared for a family
// (numbers for gaussian/bernoulli/poisson, class indices for categorical).
#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

#include "tapegrad/autodiff/matrix.hpp"
#include "tapegrad/models/row_lines.hpp"

namespace tapegrad::models {

struct Dataset {
  Eigen::MatrixXd features;                // n x d, column-major
  Eigen::VectorXd target;                  // n: the target as numbers (every family fills it)
  Eigen::VectorXi labels;                  // n: class indices 0..K-1 (categorical only)
  std::vector<std::string> class_names;    // class k's name (categorical only)
  std::vector<std::string> feature_names;  // d
  std::string target_name;
  std::string source;                      // the data file as named in the config
  std::size_t rows_dropped = 0;            // rows skipped for a missing cell
  RowLines row_lines;                      // the file line of each row, for errors (empty: not known)
  // The distinct target labels of the whole data (under mpirun, of every rank's rows), which
  // fix the classes; empty: this process's own rows are the whole data.
  std::vector<std::string> all_labels;

  std::size_t rows() const { return static_cast<std::size_t>(features.rows()); }
  // The given rows, in that order (a mini-batch).
  Dataset subset(const std::vector<std::size_t>& rows) const;
  // Bytes held by the feature matrix and the target.
  std::size_t bytes() const;
};

// Rows [begin, end) of a data set, for evaluating the log-likelihood in pieces (threads,
// processes). The features are a view of those rows of the data set's matrix (not copied); the
// family sees `rows`: that shard's target and labels (copied, 8 bytes a row) with the data
// set's names, and a feature matrix of 0 columns (a family scores the model's output, it does
// not read features).
struct DataShard {
  DataMatrix features;
  Dataset rows;
  std::size_t begin = 0;
  std::size_t end = 0;
};
// The shard of rows [begin, end); `data` must outlive it.
DataShard make_shard(const Dataset& data, std::size_t begin, std::size_t end);

}  // namespace tapegrad::models

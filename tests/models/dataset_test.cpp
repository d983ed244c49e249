// Dataset: mini-batch subsets, including data with no feature columns (a target-only model).
#include <catch2/catch.hpp>

#include "tapegrad/models/dataset.hpp"

TEST_CASE("Dataset::subset takes the rows asked for, with or without feature columns", "[models]") {
  using tapegrad::models::Dataset;
  for (const Eigen::Index columns : {Eigen::Index{0}, Eigen::Index{2}}) {
    INFO(columns << " feature columns");
    Dataset d;
    d.features = Eigen::MatrixXd::Zero(5, columns);
    for (Eigen::Index i = 0; i < 5; ++i)
      for (Eigen::Index j = 0; j < columns; ++j) d.features(i, j) = 10 * static_cast<double>(i) + static_cast<double>(j);
    d.target = Eigen::VectorXd::LinSpaced(5, 0, 4);
    // Found by the fit fuzzer under UBSan: with 0 columns a row of the matrix is a null pointer plus an offset.
    const Dataset s = d.subset({3, 1});
    REQUIRE(s.features.rows() == 2);
    REQUIRE(s.features.cols() == columns);
    CHECK(s.target[0] == 3);
    CHECK(s.target[1] == 1);
    if (columns > 0) {
      CHECK(s.features(0, 1) == 31);
      CHECK(s.features(1, 0) == 10);
    }
  }
}

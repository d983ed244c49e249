// The categorical family's classes: the distinct labels, never a range of integers (labels like
// 2147483648 once made one class per integer up to it), and target errors name the file's line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/experiment.hpp"
#include "temp_dir.hpp"

namespace {

using tapegrad::models::Experiment;

Experiment load_labels(const tapegrad::testing::TempDir& dir, const std::string& labels_csv, int units,
                       const std::string& extra = "") {
  dir.write("labels.csv", labels_csv);
  const std::string config = dir.write(
      "config.json", R"({"name": "labels", "data": {"csv": "labels.csv", "target": "y"},
        "model": [{"type": "linear", "units": )" + std::to_string(units) + R"(}, {"type": "softmax"}],
        "likelihood": {"family": "categorical")" + extra + "}}");
  return tapegrad::models::load_experiment(tapegrad::models::load_config(config));
}

}  // namespace

TEST_CASE("categorical classes are the distinct labels: integers in numeric order, text in byte order",
          "[families]") {
  tapegrad::testing::TempDir dir;
  // 0..K-1 stay classes 0..K-1, as before.
  Experiment plain = load_labels(dir, "x,y\n1,2\n2,0\n3,1\n4,2\n", 3);
  CHECK(plain.data.class_names == std::vector<std::string>{"0", "1", "2"});
  CHECK(plain.data.labels == Eigen::Vector4i(2, 0, 1, 2));
  // Huge integers: two classes, not 2^31 + 1.
  Experiment huge = load_labels(dir, "x,y\n1,2147483648\n2,0\n3,2147483648\n", 2);
  CHECK(huge.data.class_names == std::vector<std::string>{"0", "2147483648"});
  CHECK(huge.data.labels == Eigen::Vector3i(1, 0, 1));
  // Numeric order, negative labels, and "10" after "9".
  Experiment order = load_labels(dir, "x,y\n1,10\n2,-1\n3,9\n", 3);
  CHECK(order.data.class_names == std::vector<std::string>{"-1", "9", "10"});
  // "1e9" is not an integer: the labels are text, in byte order.
  Experiment text = load_labels(dir, "x,y\n1,1e9\n2,0\n3,1e9\n", 2);
  CHECK(text.data.class_names == std::vector<std::string>{"0", "1e9"});
  // Declared classes keep their range, and an unseen class.
  Experiment declared = load_labels(dir, "x,y\n1,0\n2,2\n3,0\n", 3, R"(, "classes": 3)");
  CHECK(declared.data.class_names == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("a target error names the file's line, past blank lines and dropped rows", "[families]") {
  tapegrad::testing::TempDir dir;
  CHECK_THROWS_WITH(load_labels(dir, "x,y\n\n1,0\n\n\n2,1\n3,1\n4,5\n", 2, R"(, "classes": 2)"),
                    Catch::Matchers::Contains("labels.csv: line 8, column \"y\": class label 5 is out of range 0..1"));
}

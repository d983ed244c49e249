#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tapegrad/models/plot.hpp"
#include "temp_dir.hpp"

using namespace tapegrad::models;

TEST_CASE("plot_svg writes the data, the script and (with gnuplot) an SVG", "[plot]") {
  tapegrad::testing::TempDir dir;
  Figure figure;
  figure.title = "two panels";
  figure.panels = {Panel{"lines", "x", "y", false, {Series{"a", {0, 1, 2}, {1, 2, 3}}, Series{"b", {0, 1}, {3, 1}}}},
                   Panel{"log", "x", "y", true, {Series{"c", {0, 1, 2}, {1, 1e-3, 1e-9}, true}}}};
  const PlotResult r = plot_svg(figure, dir.path("sub/figure"));
  std::ifstream csv(r.data);
  std::stringstream text;
  text << csv.rdbuf();
  const std::string data = text.str();
  CHECK(data.rfind("panel,series,x,y\n", 0) == 0);
  CHECK(std::count(data.begin(), data.end(), '\n') == 1 + 3 + 2 + 3);
  CHECK(std::filesystem::exists(dir.path("sub/figure.gp")));
  if (gnuplot_available()) {
    REQUIRE(r.svg == dir.path("sub/figure.svg"));
    std::ifstream svg(r.svg);
    std::string first;
    std::getline(svg, first);
    CHECK(first.rfind("<?xml", 0) == 0);
  } else {
    CHECK(r.svg.empty());
    CHECK(r.note == "gnuplot is not installed");
  }
}

TEST_CASE("plot_svg refuses a series whose x and y differ in length", "[plot]") {
  tapegrad::testing::TempDir dir;
  Figure figure;
  figure.panels = {Panel{"bad", "x", "y", false, {Series{"a", {0, 1}, {1}}}}};
  CHECK_THROWS_WITH(plot_svg(figure, dir.path("bad")), Catch::Contains("2 x values and 1 y values"));
}

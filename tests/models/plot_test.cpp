// The SVG plots tapegrad draws itself: well-formed whatever the titles hold, the numbers in a
// CSV beside them, nothing run.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "tapegrad/models/plot.hpp"
#include "temp_dir.hpp"
#include "xml_check.hpp"

using namespace tapegrad::models;

namespace {

using tapegrad::testing::read_file;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("plot_svg writes the data and a well-formed SVG with a polyline per series", "[plot]") {
  tapegrad::testing::TempDir dir;
  Figure figure;
  figure.title = "two panels";
  figure.panels = {Panel{"lines", "x", "y", false, {Series{"a", {0, 1, 2}, {1, 2, 3}}, Series{"b", {0, 1}, {3, 1}}}},
                   Panel{"log", "x", "y", true, {Series{"c", {0, 1, 2}, {1, 1e-3, 1e-9}, true}}}};
  const PlotResult r = plot_svg(figure, dir.path("sub/figure"));
  CHECK(r.svg == dir.path("sub/figure.svg"));
  CHECK(r.data == dir.path("sub/figure.csv"));
  const std::string data = read_file(r.data);
  CHECK(data.rfind("panel,series,x,y\n", 0) == 0);
  CHECK(std::count(data.begin(), data.end(), '\n') == 1 + 3 + 2 + 3);
  CHECK_FALSE(std::filesystem::exists(dir.path("sub/figure.gp")));  // no script: nothing to run
  const std::string svg = read_file(r.svg);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(tapegrad::testing::xml_problem(svg) == "");
  CHECK(count(svg, "<polyline") == 3);
  CHECK(count(svg, "<circle") == 3);  // markers on the series that asks for them
  // The log axis labels decades from 1e-10 to 1 (every second one: at most 8 ticks, the axis
  // ending on ticks).
  CHECK(svg.find(">1e-10</text>") != std::string::npos);
  CHECK(svg.find(">1e-8</text>") != std::string::npos);
  CHECK(svg.find(">1e-9</text>") == std::string::npos);
  CHECK(svg.find(">1</text>") != std::string::npos);
  // The legend names both series of the first panel.
  CHECK(svg.find(">a</text>") != std::string::npos);
  CHECK(svg.find(">b</text>") != std::string::npos);
}

TEST_CASE("plot_svg refuses a series whose x and y differ in length", "[plot]") {
  tapegrad::testing::TempDir dir;
  Figure figure;
  figure.panels = {Panel{"bad", "x", "y", false, {Series{"a", {0, 1}, {1}}}}};
  CHECK_THROWS_WITH(plot_svg(figure, dir.path("bad")), Catch::Contains("2 x values and 1 y values"));
  CHECK_FALSE(std::filesystem::exists(dir.path("bad.csv")));
}

TEST_CASE("plot: every text is escaped, so hostile titles give a well-formed SVG and run nothing", "[plot]") {
  tapegrad::testing::TempDir dir;
  const std::string marker = dir.path("ran");
  // Quotes, a newline, $(), backticks, ;, <, &, ]]>, a gnuplot `system`, a control character and
  // bytes that are not UTF-8.
  const std::string hostile = "a'b\"c\n$(touch " + marker + ")`touch " + marker + "`; touch " + marker +
                              "; <script>&amp;]]> system 'touch " + marker + "' \x01 caf\xe9";
  Figure figure;
  figure.title = hostile;
  figure.panels = {Panel{hostile, hostile, hostile, true, {Series{hostile, {0, 1}, {1, 2}}, Series{hostile, {0}, {3}}}}};
  const std::string stem = dir.path("out'$(touch " + marker + ");`touch " + marker + "`;x");
  const PlotResult r = plot_svg(figure, stem);
  CHECK_FALSE(std::filesystem::exists(marker));
  const std::string svg = read_file(r.svg);
  INFO(svg);
  CHECK(tapegrad::testing::xml_problem(svg) == "");
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("]]>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;&amp;amp;]]&gt; system &apos;touch") != std::string::npos);
  CHECK(svg.find("a&apos;b&quot;c $(touch") != std::string::npos);  // the newline became a space
  CHECK(svg.find("caf\xef\xbf\xbd") != std::string::npos);           // U+FFFD for the Latin-1 byte
}

TEST_CASE("xml_escaped keeps UTF-8 and replaces what XML cannot hold", "[plot]") {
  using tapegrad::models::detail::xml_escaped;
  CHECK(xml_escaped("\xce\xbb = 2 \xe2\x89\xa4 3") == "\xce\xbb = 2 \xe2\x89\xa4 3");  // lambda, <=
  CHECK(xml_escaped("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;");
  CHECK(xml_escaped("a\tb\rc\x7f") == "a b c ");
  CHECK(xml_escaped("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");            // an overlong '/'
  CHECK(xml_escaped("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(xml_escaped("\xef\xbf\xbf") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // U+FFFF
  CHECK(xml_escaped("\xe2\x89") == "\xef\xbf\xbd\xef\xbf\xbd");                  // cut short
}

TEST_CASE("plot: non-finite points are skipped and break the line, a log axis skips y <= 0", "[plot]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Figure figure;
  figure.panels = {Panel{"gaps", "x", "", false, {Series{"s", {0, 1, 2, 3, 4, 5}, {1, 2, nan, 3, inf, 4}}}},
                   Panel{"log", "x", "", true, {Series{"s", {0, 1, 2, 3}, {1, 0, -1, 10}}}}};
  const std::string svg = render_svg(figure);
  CHECK(tapegrad::testing::xml_problem(svg) == "");
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(count(svg, "<polyline") == 3 + 2);  // [0, 1], [3], [5]; then [0], [3]
  // Nothing drawable at all: an empty frame, still well-formed.
  Figure empty;
  empty.panels = {Panel{"none", "x", "", true, {Series{"s", {0, 1}, {nan, -1}}}}};
  CHECK(tapegrad::testing::xml_problem(render_svg(empty)) == "");
}

TEST_CASE("plot: ticks are 1, 2 or 5 times a power of ten and cover the range", "[plot]") {
  using tapegrad::models::detail::nice_ticks;
  CHECK(nice_ticks(0, 34, 5) == std::vector<double>{0, 5, 10, 15, 20, 25, 30, 35});
  const std::vector<double> tenths = nice_ticks(0.13, 0.71, 5);
  REQUIRE(tenths.size() == 8);
  for (std::size_t i = 0; i < tenths.size(); ++i) CHECK(std::abs(tenths[i] - 0.1 * (i + 1)) < 1e-12);
  const std::vector<double> t = nice_ticks(-3e-7, 9e-7, 5);
  REQUIRE(t.size() >= 2);
  CHECK(t.front() <= -3e-7);
  CHECK(t.back() >= 9e-7);
  CHECK(std::abs((t[1] - t[0]) - 2e-7) < 1e-20);
  CHECK(nice_ticks(1, 1, 5).size() == 1);  // no range: the caller widens it
}

TEST_CASE("plot: a long history is thinned to the pixel columns and keeps its extremes", "[plot]") {
  Series s{"long", {}, {}, true};
  for (int i = 0; i < 200000; ++i) {
    s.x.push_back(i);
    s.y.push_back(i == 123456 ? 1e3 : std::sin(i * 0.01));
  }
  Figure figure;
  figure.panels = {Panel{"p", "x", "", false, {s}}};
  const std::string svg = render_svg(figure);
  CHECK(svg.size() < 200000);       // a few points per pixel column, not 200,000
  CHECK(count(svg, "<circle") == 0);  // too many points for markers
  CHECK(tapegrad::testing::xml_problem(svg) == "");
  // The spike survives the thinning: a point at the top of the plot area (y = 64 px here).
  CHECK(svg.find(",30.0") != std::string::npos);
}

TEST_CASE("plot: a huge title is cut at a character boundary, not copied whole", "[plot]") {
  Figure figure;
  figure.title = std::string(399, 'x') + "\xce\xbb" + std::string(100000, 'y');  // a lambda across the cut
  figure.panels = {Panel{"p", "x", "", false, {Series{"s", {0, 1}, {1, 2}}}}};
  const std::string svg = render_svg(figure);
  CHECK(svg.size() < 10000);
  CHECK(svg.find(std::string(399, 'x') + "...<") != std::string::npos);
  CHECK(tapegrad::testing::xml_problem(svg) == "");
}

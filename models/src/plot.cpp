#include "tapegrad/models/plot.hpp"

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "tapegrad/models/report.hpp"

namespace tapegrad::models {

namespace fs = std::filesystem;

namespace {

// Text inside a gnuplot double-quoted string.
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

PlotResult plot_svg(const Figure& figure, const std::string& stem) {
  const fs::path base = fs::absolute(stem);
  if (base.has_parent_path()) fs::create_directories(base.parent_path());
  PlotResult result;
  result.data = base.string() + ".csv";

  // One CSV in long form: panel, series, x, y (the plot commands select their rows).
  std::ostringstream csv;
  csv << std::setprecision(17) << "panel,series,x,y\n";
  std::ostringstream gp;
  gp << "set terminal svg size " << figure.width << "," << figure.height << " dynamic background rgb 'white'\n"
     << "set output '" << base.string() << ".svg.tmp'\n"
     << "set datafile separator ','\nset grid\nset key top right noenhanced\n";
  if (figure.panels.size() > 1 || !figure.title.empty())
    gp << "set multiplot layout 1," << figure.panels.size() << " title \"" << escaped(figure.title) << "\" noenhanced\n";
  for (std::size_t p = 0; p < figure.panels.size(); ++p) {
    const Panel& panel = figure.panels[p];
    gp << "set title \"" << escaped(panel.title) << "\" noenhanced\n"
       << "set xlabel \"" << escaped(panel.xlabel) << "\" noenhanced\n"
       << "set ylabel \"" << escaped(panel.ylabel) << "\" noenhanced\n"
       << (panel.log_y ? "set logscale y\nset format y '%.0e'\n" : "unset logscale y\nset format y '%g'\n")
       << (panel.series.size() > 1 ? "set key\n" : "unset key\n") << "plot ";
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      const Series& series = panel.series[s];
      if (series.x.size() != series.y.size())
        throw std::invalid_argument("plot_svg: series \"" + series.title + "\" has " + std::to_string(series.x.size()) +
                                    " x values and " + std::to_string(series.y.size()) + " y values");
      for (std::size_t i = 0; i < series.x.size(); ++i)
        csv << p << "," << s << "," << series.x[i] << "," << series.y[i] << "\n";
      // Rows of this series only: the panel and series columns select them.
      gp << (s ? ", " : "") << "'" << result.data << "' using ($1 == " << p << " && $2 == " << s
         << " ? $3 : 1/0):" << (panel.log_y ? "($4 > 0 ? $4 : 1/0)" : "4") << " skip 1 with "
         << (series.points ? "linespoints pt 7 ps 0.4" : "lines lw 2") << " title \"" << escaped(series.title) << "\"";
    }
    gp << "\n";
  }
  if (figure.panels.size() > 1 || !figure.title.empty()) gp << "unset multiplot\n";
  write_file_atomically(result.data, csv.str());
  const std::string script = base.string() + ".gp";
  write_file_atomically(script, gp.str());

  if (!gnuplot_available()) {
    result.note = "gnuplot is not installed";
    return result;
  }
  const std::string svg = base.string() + ".svg";
  const std::string command = "gnuplot '" + script + "' 2>/dev/null";
  std::error_code error;
  if (std::system(command.c_str()) == 0 && fs::exists(svg + ".tmp")) {
    fs::rename(svg + ".tmp", svg, error);
    if (!error) result.svg = svg;
  }
  if (result.svg.empty()) result.note = "gnuplot failed (the script is " + script + ")";
  return result;
}

}  // namespace tapegrad::models

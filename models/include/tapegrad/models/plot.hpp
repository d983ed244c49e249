#pragma once
// Line plots as SVG files, drawn by gnuplot where it is installed. The data always lands in a
// CSV beside the image (<name>.csv), so the numbers survive on machines without gnuplot; the
// gnuplot script (<name>.gp) is kept too, to redraw or restyle the plot by hand.
#include <string>
#include <vector>

namespace tapegrad::models {

struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  bool points = false;  // markers on the line (for iterations), else a plain line
};

struct Panel {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  bool log_y = false;
  std::vector<Series> series;
};

struct Figure {
  std::string title;
  std::vector<Panel> panels;  // side by side
  int width = 900;            // pixels
  int height = 420;
};

struct PlotResult {
  std::string svg;   // the image; "" when it could not be drawn
  std::string data;  // the CSV with every series
  std::string note;  // why there is no image (gnuplot missing or failed)
};

// Writes `<stem>.csv`, `<stem>.gp` and, through gnuplot, `<stem>.svg` (all atomically).
// `stem` is a path without extension, e.g. "runs/x/loss". Throws std::runtime_error when the
// files cannot be written; a missing gnuplot is not an error (see PlotResult::note).
PlotResult plot_svg(const Figure& figure, const std::string& stem);

bool gnuplot_available();

}  // namespace tapegrad::models
